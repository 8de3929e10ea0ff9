import type { FormValues } from './dsl';
import { currentNodeIds } from './instance';
import type { Compensation, InstanceSource, InstanceState, InstanceStatus, NodeOutcome, Task, TimelineEvent } from './state';

/** The instance view of SPEC §6 — the names clients rely on are fixed; the rest is extra. */
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
  /** Returned to the initiator: waiting for `resubmit` (or `withdraw`). */
  returnedToInitiator: boolean;
  tasks: Array<Omit<Task, 'runId' | 'seat' | 'remindAt' | 'handingOver'> & { nodeName?: string }>;
  automaticOutcomes: NodeOutcome[];
  /** The saga: each succeeded service node's compensation and how it went. */
  compensations?: Array<{ nodeId: string; system: string; operation: string; status: Compensation['status']; error?: string }>;
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
    currentNodeIds: currentNodeIds(state),
    returnedToInitiator: state.awaitingResubmit,
    tasks: state.tasks.map(({ runId: _runId, seat: _seat, remindAt: _remindAt, handingOver: _handingOver, ...task }) => {
      const nodeName = nodeNames.get(task.nodeId);
      return { ...task, ...(nodeName ? { nodeName } : {}) };
    }),
    automaticOutcomes: state.automaticOutcomes,
    ...(state.compensations?.length
      ? {
          compensations: state.compensations.map(({ nodeId, call, status, error }) => ({
            nodeId,
            system: call.system,
            operation: call.operation,
            status,
            ...(error !== undefined ? { error } : {}),
          })),
        }
      : {}),
    createdAt: state.createdAt,
    ...(state.completedAt ? { completedAt: state.completedAt } : {}),
  };
}

/** SPEC §6 timeline: the events still held by the instance, in order. */
export interface TimelineView {
  events: TimelineEvent[];
}

export function toTimelineView(state: InstanceState): TimelineView {
  return { events: state.timeline };
}
