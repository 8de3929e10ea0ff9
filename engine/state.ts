import type { Assignment, ResolveApproversInput } from './assignment';
import type { FlowDefinition, FlowNode, FormValues, NodeOfType, ServiceCall } from './dsl';
import type { WebhookEvent } from './webhook-events';

/**
 * The state of one approval instance. Plain JSON (it is carried across continue-as-new), and
 * bounded: runs, forks and completed runs are bounded by the graph; closed tasks of superseded
 * runs, the timeline and the remembered action ids are capped (`limits`).
 */

export const INSTANCE_STATUSES = ['running', 'approved', 'rejected', 'withdrawn', 'failed', 'terminated', 'compensating', 'compensation_failed'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
/** How an instance ends (`terminated`: by an admin); `compensating` and `compensation_failed` come between (SPEC §5). */
export type FinalStatus = Extract<InstanceStatus, 'approved' | 'rejected' | 'withdrawn' | 'failed' | 'terminated'>;
export const isFinalStatus = (status: InstanceStatus): status is FinalStatus =>
  status === 'approved' || status === 'rejected' || status === 'withdrawn' || status === 'failed' || status === 'terminated';
export const TASK_STATUSES = ['pending', 'waiting', 'approved', 'rejected', 'transferred', 'cancelled', 'returned', 'auto_approved'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Why a task reached its status when it was not simply a person's approve / reject. */
export type TaskReason =
  | 'dedupe'
  | 'initiator'
  | 'timeout'
  | 'escalated'
  | 'node_completed'
  | 'instance_rejected'
  | 'withdrawn'
  | 'revoked'
  | 'removed'
  | 'returned'
  | 'instance_failed'
  /** The assignee left (a full org push deactivated them): handed over, approved or rejected as `onEmpty` says. */
  | 'departed'
  /** `to_admin` found no admin to take the task. */
  | 'no_admin'
  /** An admin ended the instance (强制终止). */
  | 'terminated'
  /** An admin gave the task to someone else (修改审批人). */
  | 'reassigned';

export type SignerPosition = 'before' | 'after' | 'parallel';

export interface InstanceSource {
  system: string;
  type: string;
  id: string;
}

export interface Task {
  taskId: string;
  nodeId: string;
  /** The node run (one entry into the node) the task belongs to. */
  runId: number;
  /** The ballot the task fills: a transfer keeps it, a `parallel` signer opens a new one. */
  seat: number;
  assigneeId: string;
  status: TaskStatus;
  reason?: TaskReason;
  delegatedFrom?: string;
  substitutedFor?: string;
  transferredFrom?: string;
  /** Added by another task's assignee (加签). */
  signer?: { position: SignerPosition; addedByTaskId: string; addedBy: string };
  comment?: string;
  createdAt: string;
  completedAt?: string;
  remindAt?: string;
  actAt?: string;
  lastUrgedAt?: string;
  /** Its assignee left and the admins who take it over are being looked up. */
  handingOver?: boolean;
}

/** One entry into an approval node, from approver resolution until the node completes. */
export interface NodeRun {
  runId: number;
  nodeId: string;
  /** The branch it runs on: '' outside forks, `parent/fork.i` inside one. */
  token: string;
  /** Runs whose completion led here (through conditions, cc and forks; several through a join). */
  enteredFrom: number[];
  enteredAt: string;
  phase: 'resolving' | 'active';
  /** Sequential mode: the assignees still waiting their turn, in order. */
  queue: Assignment[];
  /** Sequential mode: the seat whose turn it is. */
  turnSeat: number;
  nextSeat: number;
  /** Sequential mode with per-turn lookups: the turn whose assignee is being looked up. */
  pendingTurn?: number;
}

export interface CompletedRun extends NodeRun {
  completedAt: string;
  /** Completion order within the current pass (returns cut the list back to a point). */
  order: number;
}

export interface Fork {
  forkId: number;
  nodeId: string;
  parentToken: string;
  branchTokens: string[];
  enteredFrom: number[];
  arrivals: Array<{ token: string; joinNodeId: string; from: number[] }>;
}

export interface TimelineEvent {
  seq: number;
  type: string;
  at: string;
  actorId?: string;
  taskId?: string;
  nodeId?: string;
  data: Record<string, unknown>;
}

export interface NodeOutcome {
  nodeId: string;
  outcome: 'approved' | 'rejected';
  reason: 'no_approver' | 'no_admin';
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
  /** initiator_select: node id → the user ids the initiator chose. */
  selectedApprovers?: Record<string, string[]>;
  /** Continue-as-new once the history passes this many events (default in the workflow). */
  historyLimit?: number;
  /** Send SPEC §8 webhooks to `callbackUrl` (set by the API, so instances started before webhooks existed replay unchanged). */
  webhooks?: boolean;
  /** `source.system` had a write-back configured when the instance started: call it once the instance ends. */
  writeBack?: boolean;
  /** Deliver DingTalk cards, todos and work notifications (set by the API when DingTalk is configured; older instances replay without). */
  approverChannel?: boolean;
  /** Retry limits of the ERP-facing activities (defaults in the workflow; tests shorten them). */
  retries?: RetrySettings;
}

export interface RetryLimits {
  maximumAttempts: number;
  initialIntervalMs: number;
  maximumIntervalMs?: number;
}

export interface RetrySettings {
  service?: RetryLimits;
  compensation?: RetryLimits;
  webhook?: RetryLimits;
  writeBack?: RetryLimits;
  /** The DingTalk channel (cards, todos, notices). */
  channel?: RetryLimits;
}

/** A service node's call that was sent and has not answered yet. */
export interface ServiceCallInFlight {
  nodeId: string;
  token: string;
  from: number[];
  /** A return undid the path that led here: the answer is recorded (and a success compensated later), the walk does not go on. */
  abandoned?: boolean;
}

/** A succeeded service node's undo (saga). Registered on success, run newest first when the instance fails. */
export interface Compensation {
  nodeId: string;
  call: ServiceCall;
  status: 'registered' | 'running' | 'compensated' | 'failed';
  error?: string;
}

export interface InstanceState extends StartInstanceInput {
  status: InstanceStatus;
  /** Returned to the initiator (退回发起人): the flow continues only on `resubmit`. */
  awaitingResubmit: boolean;
  runs: NodeRun[];
  completedRuns: CompletedRun[];
  forks: Fork[];
  tasks: Task[];
  nextTaskSeq: number;
  nextRunId: number;
  nextCompletionOrder: number;
  nextNotificationSeq: number;
  /** Nodes that ended without a person's action, most recent last. */
  automaticOutcomes: NodeOutcome[];
  timeline: TimelineEvent[];
  nextEventSeq: number;
  /** Behaviour switched on by `patched()` in the workflow, so instances started earlier replay unchanged. */
  features?: {
    /** Each sequential turn looks its assignee up again when it begins, so a delegation that started meanwhile applies. */
    turnLookups?: boolean;
    /** The workflow writes the instance, its tasks and its timeline to Postgres. */
    projection?: boolean;
    /** Search attributes are published only when the workflow is about to wait (workflow-side only). */
    settledVisibility?: boolean;
    /** Approver lookups run as local activities, in the workflow task of the change that needs them (workflow-side only). */
    localLookups?: boolean;
  };
  /** How far the Postgres projection has been written (kept by the workflow, not the engine). */
  projected?: { revision: number; eventSeq: number };
  /** Service calls sent and not yet answered. */
  serviceCalls?: ServiceCallInFlight[];
  /** The saga: compensations of the service nodes that succeeded, in the order they succeeded (one per node). */
  compensations?: Compensation[];
  /** While `compensating` (and `compensation_failed`): the status the instance ends with once compensated. */
  endingAs?: Exclude<FinalStatus, 'approved'>;
  /** The next webhook event's sequence number (event ids are `{instanceId}:{seq}:{type}`). */
  nextWebhookSeq?: number;
  createdAt: string;
  completedAt?: string;
}

export const limits = {
  timelineEvents: 200,
  closedTasksOfPastRuns: 100,
  automaticOutcomes: 20,
};

/** Why the engine asked for a lookup, so the answer finds its way back. */
export type ResolvePurpose =
  | { kind: 'node'; runId: number }
  | { kind: 'node_admins'; runId: number }
  | { kind: 'turn'; runId: number; turn: number }
  | { kind: 'escalate'; taskId: string; fallbackToAdmins: boolean }
  | { kind: 'handover'; taskId: string }
  | { kind: 'cc'; nodeId: string };

export interface Notification {
  key: string;
  kind: 'reminder' | 'urge' | 'cc' | 'escalated' | 'handed_over';
  recipients: string[];
  nodeId?: string;
  taskIds?: string[];
  title: string;
}

export type Command =
  | { type: 'resolve'; purpose: ResolvePurpose; request: ResolveApproversInput }
  | { type: 'notify'; notification: Notification }
  /** Call a service node's ERP operation; the answer goes to `serviceAnswered`. */
  | { type: 'service'; call: ServiceCall; ref: ServiceCallInFlight; idempotencyKey: string }
  /** Undo a service node (saga); the answer goes to `compensationAnswered`. */
  | { type: 'compensate'; nodeId: string; call: ServiceCall; idempotencyKey: string }
  /** Update the source document in its ERP; the answer goes to `writeBackAnswered`. */
  | { type: 'write_back'; status: FinalStatus; idempotencyKey: string }
  /** Deliver a webhook: the workflow queues these and sends them in order, apart from the rest. */
  | { type: 'webhook'; event: WebhookEvent };

export interface Transition {
  state: InstanceState;
  commands: Command[];
}

export function findNode(definition: FlowDefinition, nodeId: string): FlowNode {
  const node = definition.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`definition ${definition.code} has no node "${nodeId}"`);
  return node;
}

export function findNodeOfType<T extends FlowNode['type']>(definition: FlowDefinition, nodeId: string, type: T): NodeOfType<T> {
  const node = findNode(definition, nodeId);
  if (node.type !== type) throw new Error(`node "${nodeId}" is ${node.type}, not ${type}`);
  return node as NodeOfType<T>;
}

/** `token` is `ancestor` or lies inside one of its forks. */
export function isWithinToken(token: string, ancestor: string): boolean {
  return ancestor === '' || token === ancestor || token.startsWith(`${ancestor}/`);
}

export const isOpen = (task: Task) => task.status === 'pending' || task.status === 'waiting';

/** The run a task belongs to, while that run is still active. */
export function liveRunOf(state: InstanceState, task: Task): NodeRun | undefined {
  return state.runs.find((r) => r.runId === task.runId);
}

/** A task stops counting down: it waits, or it is closed. */
export function stopTimers(task: Task): void {
  delete task.remindAt;
  delete task.actAt;
}

/** Closes a task as `status`, with `reason` when it was not simply a person's approve / reject. */
export function closeTask(task: Task, status: TaskStatus, at: string, reason?: TaskReason): void {
  task.status = status;
  task.completedAt = at;
  if (reason) task.reason = reason;
  else delete task.reason;
  stopTimers(task);
}

/** Holds a task `waiting` (for signers), without deadlines. */
export function holdTask(task: Task): void {
  task.status = 'waiting';
  stopTimers(task);
}
