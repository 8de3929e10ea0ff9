import type { FormValues } from './dsl';
import type { InstanceSource, InstanceState, InstanceStatus, NodeOutcome, TaskStatus } from './instance';

/** The instance view of SPEC §6 — the names clients rely on are fixed. */
export interface InstanceView {
  instanceId: string;
  flowCode: string;
  flowName: string;
  flowVersion: number;
  businessKey: string;
  status: InstanceStatus;
  initiatorId: string;
  form: FormValues;
  source?: InstanceSource;
  currentNodeIds: string[];
  tasks: Array<{
    taskId: string;
    nodeId: string;
    nodeName?: string;
    assigneeId: string;
    status: TaskStatus;
    comment?: string;
    createdAt: string;
    completedAt?: string;
  }>;
  automaticOutcomes: NodeOutcome[];
  createdAt: string;
  completedAt?: string;
}

export function toInstanceView(state: InstanceState): InstanceView {
  const nodeNames = new Map(state.definition.nodes.map((n) => [n.id, n.name]));
  return {
    instanceId: state.instanceId,
    flowCode: state.flowCode,
    flowName: state.definition.name,
    flowVersion: state.flowVersion,
    businessKey: state.businessKey,
    status: state.status,
    initiatorId: state.initiatorId,
    form: state.form,
    ...(state.source ? { source: state.source } : {}),
    currentNodeIds: state.currentNodeIds,
    tasks: state.tasks.map((t) => {
      const nodeName = nodeNames.get(t.nodeId);
      return { ...t, ...(nodeName ? { nodeName } : {}) };
    }),
    automaticOutcomes: state.automaticOutcomes,
    createdAt: state.createdAt,
    ...(state.completedAt ? { completedAt: state.completedAt } : {}),
  };
}
