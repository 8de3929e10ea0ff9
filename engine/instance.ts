import type { ApprovalNode, ApproverSource, FlowDefinition, FlowNode, FormValues } from './dsl';

/**
 * Instance semantics as pure functions: (state, event) → new state + commands.
 * No I/O, no clock, no randomness — the workflow runs these deterministically and passes `now`.
 */

export type InstanceStatus = 'running' | 'approved' | 'rejected' | 'withdrawn' | 'failed';
export type TaskStatus = 'pending' | 'approved' | 'rejected' | 'cancelled' | 'auto_approved';

export interface InstanceSource {
  system: string;
  type: string;
  id: string;
}

export interface Task {
  taskId: string;
  nodeId: string;
  assigneeId: string;
  status: TaskStatus;
  comment?: string;
  createdAt: string;
  completedAt?: string;
}

/** What the API hands the workflow at start: the definition is a snapshot of the version it runs. */
export interface StartInstanceInput {
  instanceId: string;
  flowCode: string;
  flowVersion: number;
  definition: FlowDefinition;
  businessKey: string;
  initiatorId: string;
  form: FormValues;
  source?: InstanceSource;
  callbackUrl?: string;
  /** The app that started the instance (its secret signs the webhooks). */
  appKey: string;
}

/** How a node ended when it was not through a person's action. */
export interface NodeOutcome {
  nodeId: string;
  outcome: 'approved' | 'rejected';
  reason: 'no_approver' | 'action';
}

export interface InstanceState extends StartInstanceInput {
  status: InstanceStatus;
  currentNodeIds: string[];
  tasks: Task[];
  nextTaskSeq: number;
  /** Nodes that ended without a human action (empty approver list), for the audit trail. */
  automaticOutcomes: NodeOutcome[];
  createdAt: string;
  completedAt?: string;
}

export type Command = { type: 'resolveApprovers'; nodeId: string; source: ApproverSource; initiatorId: string };

export interface Transition {
  state: InstanceState;
  commands: Command[];
}

export type ActionType = 'approve' | 'reject';

export interface ActionRequest {
  type: ActionType;
  /** Idempotency key of the action: the Temporal update id. */
  actionId: string;
  actorId: string;
  taskId?: string;
  comment?: string;
}

export type RefusalCode = 'INSTANCE_NOT_RUNNING' | 'TASK_NOT_FOUND' | 'NOT_ASSIGNEE' | 'TASK_NOT_PENDING';

export interface ActionRefusal {
  code: RefusalCode;
  message: string;
}

function nodeById(definition: FlowDefinition, nodeId: string): FlowNode {
  const node = definition.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`definition ${definition.code} has no node "${nodeId}"`);
  return node;
}

function startNode(definition: FlowDefinition): FlowNode & { type: 'start' } {
  const node = definition.nodes.find((n): n is FlowNode & { type: 'start' } => n.type === 'start');
  if (!node) throw new Error(`definition ${definition.code} has no start node`);
  return node;
}

function finish(state: InstanceState, status: InstanceStatus, now: string): InstanceState {
  return { ...state, status, currentNodeIds: [], completedAt: now };
}

function enterNode(state: InstanceState, nodeId: string, now: string): Transition {
  const node = nodeById(state.definition, nodeId);
  switch (node.type) {
    case 'end':
      return { state: finish(state, 'approved', now), commands: [] };
    case 'approval':
      return {
        state: { ...state, currentNodeIds: [node.id] },
        commands: [{ type: 'resolveApprovers', nodeId: node.id, source: node.approvers, initiatorId: state.initiatorId }],
      };
    case 'start':
      throw new Error(`node "${nodeId}" is a start node and cannot be entered`);
  }
}

function leaveApprovalNode(state: InstanceState, node: ApprovalNode, now: string): Transition {
  const closed = state.tasks.map((task) =>
    task.nodeId === node.id && task.status === 'pending' ? { ...task, status: 'cancelled' as const, completedAt: now } : task,
  );
  return enterNode({ ...state, tasks: closed, currentNodeIds: [] }, node.next, now);
}

export function startInstance(input: StartInstanceInput, now: string): Transition {
  const state: InstanceState = {
    ...input,
    status: 'running',
    currentNodeIds: [],
    tasks: [],
    nextTaskSeq: 1,
    automaticOutcomes: [],
    createdAt: now,
  };
  return enterNode(state, startNode(input.definition).next, now);
}

/** The approver list of a node has been resolved (an activity result, so it is fixed in history). */
export function approversResolved(state: InstanceState, nodeId: string, assigneeIds: string[], now: string): Transition {
  if (state.status !== 'running' || !state.currentNodeIds.includes(nodeId)) return { state, commands: [] };
  const node = nodeById(state.definition, nodeId);
  if (node.type !== 'approval') throw new Error(`node "${nodeId}" is not an approval node`);
  const unique = [...new Set(assigneeIds)];
  if (unique.length === 0) {
    const policy = node.onEmpty ?? 'reject';
    const outcome: NodeOutcome = { nodeId, outcome: policy === 'auto_approve' ? 'approved' : 'rejected', reason: 'no_approver' };
    const recorded = { ...state, automaticOutcomes: [...state.automaticOutcomes, outcome] };
    return policy === 'auto_approve'
      ? leaveApprovalNode(recorded, node, now)
      : { state: finish(recorded, 'rejected', now), commands: [] };
  }
  let seq = state.nextTaskSeq;
  const created: Task[] = unique.map((assigneeId) => ({
    taskId: `${nodeId}.${seq++}`,
    nodeId,
    assigneeId,
    status: 'pending',
    createdAt: now,
  }));
  return { state: { ...state, tasks: [...state.tasks, ...created], nextTaskSeq: seq }, commands: [] };
}

/** The task an action is aimed at: the named one, or the actor's pending task on a current node. */
function targetTask(state: InstanceState, action: ActionRequest): Task | ActionRefusal {
  if (action.taskId !== undefined) {
    const task = state.tasks.find((t) => t.taskId === action.taskId);
    if (!task) return { code: 'TASK_NOT_FOUND', message: `instance ${state.instanceId} has no task "${action.taskId}"` };
    if (task.assigneeId !== action.actorId) return { code: 'NOT_ASSIGNEE', message: `${action.actorId} is not the assignee of task ${task.taskId}` };
    if (task.status !== 'pending') return { code: 'TASK_NOT_PENDING', message: `task ${task.taskId} is ${task.status}, not pending` };
    return task;
  }
  const own = state.tasks.filter((t) => t.assigneeId === action.actorId);
  const pending = own.find((t) => t.status === 'pending' && state.currentNodeIds.includes(t.nodeId));
  if (pending) return pending;
  if (own.length > 0) return { code: 'TASK_NOT_PENDING', message: `${action.actorId} has no pending task in instance ${state.instanceId}` };
  return { code: 'NOT_ASSIGNEE', message: `${action.actorId} is not an assignee of instance ${state.instanceId}` };
}

function isRefusal(value: Task | ActionRefusal): value is ActionRefusal {
  return 'code' in value;
}

/** The synchronous check an action must pass before it may enter history. */
export function checkAction(state: InstanceState, action: ActionRequest): ActionRefusal | null {
  if (state.status !== 'running') {
    return { code: 'INSTANCE_NOT_RUNNING', message: `instance ${state.instanceId} is ${state.status}` };
  }
  const target = targetTask(state, action);
  return isRefusal(target) ? target : null;
}

export function applyAction(state: InstanceState, action: ActionRequest, now: string): Transition {
  const refusal = checkAction(state, action);
  if (refusal) throw new Error(`action refused: ${refusal.code}: ${refusal.message}`);
  const task = targetTask(state, action) as Task;
  const node = nodeById(state.definition, task.nodeId);
  if (node.type !== 'approval') throw new Error(`task ${task.taskId} is on non-approval node ${node.id}`);
  const completed: Task = {
    ...task,
    status: action.type === 'approve' ? 'approved' : 'rejected',
    completedAt: now,
    ...(action.comment !== undefined ? { comment: action.comment } : {}),
  };
  const next = { ...state, tasks: state.tasks.map((t) => (t.taskId === task.taskId ? completed : t)) };
  if (action.type === 'approve') {
    // mode `any` (或签): the first approval completes the node and cancels the other tasks.
    return leaveApprovalNode(next, node, now);
  }
  // mode `any`: the node is rejected only when every assignee rejected.
  const stillPending = next.tasks.some((t) => t.nodeId === node.id && t.status === 'pending');
  return stillPending ? { state: next, commands: [] } : { state: finish(next, 'rejected', now), commands: [] };
}

/** Assignees of pending tasks, in task order, once each. */
export function currentAssignees(state: InstanceState): string[] {
  return [...new Set(state.tasks.filter((t) => t.status === 'pending').map((t) => t.assigneeId))];
}
