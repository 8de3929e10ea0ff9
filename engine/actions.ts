import type { Assignment } from './assignment';
import { approvalNodeOf, armTimers, createTask, handOverSigners, regate, settleRun } from './approval-run';
import type { FormValues } from './dsl';
import { closeOpenTasks, enterNode, startNodeOf } from './routing';
import { endInstance } from './saga';
import { abandonServiceCalls } from './service-nodes';
import {
  closeTask,
  findNodeOfType,
  holdTask,
  isOpen,
  isWithinToken,
  limits,
  liveRunOf,
  type CompletedRun,
  type InstanceState,
  type NodeRun,
  type SignerPosition,
  type Task,
} from './state';
import type { Step } from './step';

/**
 * The actions of SPEC §5. `checkAction` is the synchronous validator (a refusal leaves nothing
 * in history); `applyAction` assumes it passed.
 */

export const ACTION_TYPES = [
  'approve',
  'reject',
  'transfer',
  'add_signer',
  'remove_signer',
  'return',
  'resubmit',
  'revoke',
  'withdraw',
  'comment',
  'urge',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface ActionRequest {
  type: ActionType;
  /** Idempotency key of the action: the Temporal update id. */
  actionId: string;
  actorId: string;
  taskId?: string;
  comment?: string;
  /** transfer */
  toUserId?: string;
  /** add_signer, remove_signer */
  signers?: string[];
  position?: SignerPosition;
  /** return: an earlier completed approval node, or "start" (the initiator). */
  targetNodeId?: string;
  /** resubmit */
  form?: FormValues;
  /** transfer / add_signer targets after delegation, as the API resolved them (default: the ids as given). */
  targets?: Assignment[];
}

export const REFUSAL_STATUS = {
  INSTANCE_NOT_RUNNING: 409,
  TASK_NOT_FOUND: 404,
  NOT_ASSIGNEE: 403,
  NOT_INITIATOR: 403,
  NOT_PARTICIPANT: 403,
  TASK_NOT_PENDING: 409,
  NOT_RETURNED: 409,
  NOTHING_TO_REMOVE: 409,
  REVOKE_NOT_ALLOWED: 409,
  NOTHING_TO_URGE: 409,
  URGE_TOO_SOON: 409,
  INVALID_TARGET_NODE: 422,
  TRANSFER_TO_SELF: 422,
  ALREADY_ASSIGNEE: 422,
  INVALID_SIGNERS: 422,
  MISSING_FIELD: 422,
} as const;
export type RefusalCode = keyof typeof REFUSAL_STATUS;

export interface ActionRefusal {
  code: RefusalCode;
  message: string;
}

const URGE_INTERVAL_MS = 3_600_000;

const refuse = (code: RefusalCode, message: string): ActionRefusal => ({ code, message });
const isRefusal = (value: unknown): value is ActionRefusal => typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

/** The pending task an action works on: the named one, or the actor's pending task on a current node. */
function pendingTaskOf(state: InstanceState, action: ActionRequest): Task | ActionRefusal {
  if (action.taskId !== undefined) {
    const task = state.tasks.find((t) => t.taskId === action.taskId);
    if (!task) return refuse('TASK_NOT_FOUND', `instance ${state.instanceId} has no task "${action.taskId}"`);
    if (task.assigneeId !== action.actorId) return refuse('NOT_ASSIGNEE', `${action.actorId} is not the assignee of task ${task.taskId}`);
    if (task.status !== 'pending') return refuse('TASK_NOT_PENDING', `task ${task.taskId} is ${task.status}, not pending`);
    return task;
  }
  const own = state.tasks.filter((t) => t.assigneeId === action.actorId);
  const pending = own.find((t) => t.status === 'pending' && liveRunOf(state, t));
  if (pending) return pending;
  if (own.length > 0) return refuse('TASK_NOT_PENDING', `${action.actorId} has no pending task in instance ${state.instanceId}`);
  return refuse('NOT_ASSIGNEE', `${action.actorId} is not an assignee of instance ${state.instanceId}`);
}

function targetsOf(action: ActionRequest, ids: string[]): Assignment[] {
  return action.targets ?? ids.map((userId) => ({ userId }));
}

function openAssigneesOf(state: InstanceState, runId: number): Set<string> {
  return new Set(state.tasks.filter((t) => t.runId === runId && isOpen(t)).map((t) => t.assigneeId));
}

/** Completed approval runs a task may be returned to: same branch or an enclosing one. */
function returnTarget(state: InstanceState, task: Task, targetNodeId: string): CompletedRun | undefined {
  const run = liveRunOf(state, task);
  if (!run) return undefined;
  return state.completedRuns.filter((c) => c.nodeId === targetNodeId && isWithinToken(run.token, c.token)).sort((a, b) => b.order - a.order)[0];
}

interface RevokePlan {
  task: Task;
  run: NodeRun | CompletedRun;
  /** Active runs and forks that the approval led to and that will be undone. */
  successorRuns: NodeRun[];
  /** Sequential, run still active: the turn that follows and will be taken back. */
  nextTurnTasks: Task[];
}

function isHumanClosed(task: Task): boolean {
  return !isOpen(task) && task.status !== 'auto_approved' && task.reason === undefined;
}

function planRevoke(state: InstanceState, action: ActionRequest): RevokePlan | ActionRefusal {
  const live = [...state.runs, ...state.completedRuns];
  const candidates = state.tasks.filter(
    (t) =>
      t.assigneeId === action.actorId &&
      t.status === 'approved' &&
      live.some((r) => r.runId === t.runId) &&
      (action.taskId === undefined || t.taskId === action.taskId),
  );
  const task = candidates.at(-1);
  if (!task) {
    return refuse(
      'REVOKE_NOT_ALLOWED',
      action.taskId ? `task ${action.taskId} is not an approval of ${action.actorId} that still stands` : `${action.actorId} has no approval to take back`,
    );
  }
  const afterSigners = state.tasks.filter((t) => t.signer?.addedByTaskId === task.taskId && t.signer.position === 'after');
  if (afterSigners.some(isHumanClosed)) return refuse('REVOKE_NOT_ALLOWED', 'a signer added after this approval has already acted');

  const active = state.runs.find((r) => r.runId === task.runId);
  if (active) {
    if (findNodeOfType(state.definition, active.nodeId, 'approval').mode === 'sequential' && !task.signer && active.turnSeat !== task.seat) {
      const nextTurn = state.tasks.filter((t) => t.runId === active.runId && t.seat === active.turnSeat);
      const previousSeat = Math.max(...state.tasks.filter((t) => t.runId === active.runId && t.seat < active.turnSeat && !t.signer).map((t) => t.seat));
      if (task.seat !== previousSeat || nextTurn.some(isHumanClosed)) return refuse('REVOKE_NOT_ALLOWED', 'the next approver has already acted');
      return { task, run: active, successorRuns: [], nextTurnTasks: nextTurn };
    }
    return { task, run: active, successorRuns: [], nextTurnTasks: [] };
  }
  const completed = state.completedRuns.find((r) => r.runId === task.runId)!;
  if (findNodeOfType(state.definition, completed.nodeId, 'approval').mode === 'sequential' && !task.signer && task.seat !== completed.turnSeat) {
    return refuse('REVOKE_NOT_ALLOWED', 'a later approver of this node has already acted');
  }
  if (state.completedRuns.some((r) => r.enteredFrom.includes(completed.runId))) {
    return refuse('REVOKE_NOT_ALLOWED', 'the next node has already completed');
  }
  if ((state.serviceCalls ?? []).some((c) => !c.abandoned && c.from.includes(completed.runId))) {
    return refuse('REVOKE_NOT_ALLOWED', 'the next node (an ERP call) is under way');
  }
  const successorRuns = state.runs.filter((r) => r.enteredFrom.includes(completed.runId));
  if (successorRuns.some((r) => !isWithinToken(r.token, completed.token))) {
    return refuse('REVOKE_NOT_ALLOWED', 'the branches have already joined');
  }
  const acted = state.tasks.some((t) => successorRuns.some((r) => r.runId === t.runId) && isHumanClosed(t));
  if (acted) return refuse('REVOKE_NOT_ALLOWED', 'the next node has already been acted on');
  return { task, run: completed, successorRuns, nextTurnTasks: [] };
}

function isParticipant(state: InstanceState, userId: string): boolean {
  return userId === state.initiatorId || state.tasks.some((t) => t.assigneeId === userId || t.delegatedFrom === userId);
}

/** The synchronous check an action must pass before it may enter history. */
export function checkAction(state: InstanceState, action: ActionRequest, now: string): ActionRefusal | null {
  if (state.status !== 'running') return refuse('INSTANCE_NOT_RUNNING', `instance ${state.instanceId} is ${state.status}`);
  const initiatorOnly = () => (action.actorId === state.initiatorId ? null : refuse('NOT_INITIATOR', `only the initiator may ${action.type}`));
  switch (action.type) {
    case 'approve':
    case 'reject': {
      const task = pendingTaskOf(state, action);
      return isRefusal(task) ? task : null;
    }
    case 'transfer': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      if (!action.toUserId) return refuse('MISSING_FIELD', 'transfer needs "toUserId"');
      const [target] = targetsOf(action, [action.toUserId]);
      if (action.toUserId === action.actorId || target?.userId === action.actorId)
        return refuse('TRANSFER_TO_SELF', 'a task cannot be transferred to its own assignee');
      if (target && openAssigneesOf(state, task.runId).has(target.userId))
        return refuse('ALREADY_ASSIGNEE', `${target.userId} already has an open task on this node`);
      return null;
    }
    case 'add_signer': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      if (!action.signers?.length) return refuse('MISSING_FIELD', 'add_signer needs "signers"');
      if (!action.position) return refuse('MISSING_FIELD', 'add_signer needs "position" (before, after or parallel)');
      const targets = targetsOf(action, action.signers);
      const open = openAssigneesOf(state, task.runId);
      if (targets.some((t) => t.userId === action.actorId) || action.signers.includes(action.actorId))
        return refuse('INVALID_SIGNERS', 'an assignee cannot add themselves');
      const clash = targets.find((t) => open.has(t.userId));
      if (clash) return refuse('ALREADY_ASSIGNEE', `${clash.userId} already has an open task on this node`);
      if (new Set(targets.map((t) => t.userId)).size !== targets.length) return refuse('INVALID_SIGNERS', 'a signer is listed twice');
      return null;
    }
    case 'remove_signer': {
      const removable = removableSigners(state, action.actorId);
      if (removable.length === 0) return refuse('NOTHING_TO_REMOVE', `${action.actorId} has added no signer who has yet to act`);
      const unknown = (action.signers ?? []).filter((id) => !removable.some((t) => t.assigneeId === id));
      if (unknown.length > 0) return refuse('INVALID_SIGNERS', `not signers added by ${action.actorId} who have yet to act: ${unknown.join(', ')}`);
      return null;
    }
    case 'return': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      if (!action.targetNodeId) return refuse('MISSING_FIELD', 'return needs "targetNodeId" (a completed approval node or "start")');
      if (action.targetNodeId === 'start' || action.targetNodeId === startNodeOf(state.definition.nodes).id) return null;
      if (!returnTarget(state, task, action.targetNodeId)) {
        return refuse(
          'INVALID_TARGET_NODE',
          `"${action.targetNodeId}" is not an approval node this task may return to (it must have completed earlier on this branch)`,
        );
      }
      return null;
    }
    case 'resubmit':
      if (action.actorId !== state.initiatorId) return refuse('NOT_INITIATOR', 'only the initiator may resubmit');
      return state.awaitingResubmit ? null : refuse('NOT_RETURNED', 'the instance has not been returned to the initiator');
    case 'revoke': {
      const plan = planRevoke(state, action);
      return isRefusal(plan) ? plan : null;
    }
    case 'withdraw':
      return initiatorOnly();
    case 'comment':
      if (!action.comment) return refuse('MISSING_FIELD', 'comment needs "comment"');
      return isParticipant(state, action.actorId) ? null : refuse('NOT_PARTICIPANT', `${action.actorId} takes no part in instance ${state.instanceId}`);
    case 'urge': {
      const refusal = initiatorOnly();
      if (refusal) return refusal;
      const pending = state.tasks.filter((t) => t.status === 'pending');
      if (pending.length === 0) return refuse('NOTHING_TO_URGE', 'no task is pending');
      return urgeable(state, now).length > 0 ? null : refuse('URGE_TOO_SOON', 'every pending task was urged less than an hour ago');
    }
  }
}

function removableSigners(state: InstanceState, actorId: string): Task[] {
  return state.tasks.filter((t) => t.signer?.addedBy === actorId && isOpen(t) && liveRunOf(state, t));
}

function urgeable(state: InstanceState, now: string): Task[] {
  const nowMs = Date.parse(now);
  return state.tasks.filter((t) => t.status === 'pending' && (t.lastUrgedAt === undefined || nowMs - Date.parse(t.lastUrgedAt) >= URGE_INTERVAL_MS));
}

function close(step: Step, task: Task, status: Task['status'], action: ActionRequest): void {
  closeTask(task, status, step.now);
  if (action.comment !== undefined) task.comment = action.comment;
}

function runOf(step: Step, task: Task): NodeRun {
  const run = liveRunOf(step.state, task);
  if (!run) throw new Error(`task ${task.taskId} is not on a live run`);
  return run;
}

export function applyAction(step: Step, action: ActionRequest): void {
  const s = step.state;
  const refusal = checkAction(s, action, step.now);
  if (refusal) throw new Error(`action refused: ${refusal.code}: ${refusal.message}`);
  rememberAction(s, action.actionId);
  const base = { actorId: action.actorId, data: { actionId: action.actionId, ...(action.comment !== undefined ? { comment: action.comment } : {}) } };

  switch (action.type) {
    case 'approve':
    case 'reject': {
      const task = pendingTaskOf(s, action) as Task;
      close(step, task, action.type === 'approve' ? 'approved' : 'rejected', action);
      step.record(action.type === 'approve' ? 'approved' : 'rejected', { ...base, taskId: task.taskId, nodeId: task.nodeId });
      settleRun(step, runOf(step, task));
      return;
    }
    case 'transfer': {
      const task = pendingTaskOf(s, action) as Task;
      const run = runOf(step, task);
      const [target] = targetsOf(action, [action.toUserId!]);
      close(step, task, 'transferred', action);
      step.record('transferred', { ...base, taskId: task.taskId, nodeId: task.nodeId, data: { ...base.data, toUserId: target!.userId } });
      const successor = createTask(step, run, {
        assignment: target!,
        seat: task.seat,
        ...(task.signer ? { signer: task.signer } : {}),
        transferredFrom: task.taskId,
      });
      handOverSigners(s, task, successor);
      return;
    }
    case 'add_signer': {
      const owner = pendingTaskOf(s, action) as Task;
      const run = runOf(step, owner);
      const position = action.position!;
      const signer = { position, addedByTaskId: owner.taskId, addedBy: action.actorId };
      const targets = targetsOf(action, action.signers!);
      step.record('signers_added', {
        ...base,
        taskId: owner.taskId,
        nodeId: owner.nodeId,
        data: { ...base.data, position, signers: targets.map((t) => t.userId) },
      });
      if (position === 'before') holdTask(owner);
      for (const assignment of targets) {
        createTask(step, run, {
          assignment,
          seat: position === 'parallel' ? run.nextSeat++ : owner.seat,
          status: position === 'after' ? 'waiting' : 'pending',
          signer,
        });
      }
      settleRun(step, run);
      return;
    }
    case 'remove_signer': {
      const removable = removableSigners(s, action.actorId).filter((t) => !action.signers || action.signers.includes(t.assigneeId));
      const runs = new Set<NodeRun>();
      for (const task of removable) {
        closeTask(task, 'cancelled', step.now, 'removed');
        runs.add(runOf(step, task));
      }
      step.record('signers_removed', { ...base, data: { ...base.data, signers: removable.map((t) => t.assigneeId) } });
      for (const run of runs) settleRun(step, run);
      return;
    }
    case 'return':
      applyReturn(step, action, pendingTaskOf(s, action) as Task);
      return;
    case 'resubmit': {
      if (action.form) s.form = action.form;
      s.awaitingResubmit = false;
      step.record('resubmitted', { ...base, data: { ...base.data, formChanged: action.form !== undefined } });
      enterNode(step, startNodeOf(s.definition.nodes).next, '', []);
      return;
    }
    case 'revoke':
      applyRevoke(step, action, planRevoke(s, action) as RevokePlan);
      return;
    case 'withdraw':
      closeOpenTasks(step, () => true, 'cancelled', 'withdrawn');
      step.record('withdrawn', base);
      endInstance(step, 'withdrawn');
      return;
    case 'comment':
      step.record('comment', { ...base, ...(action.taskId ? { taskId: action.taskId } : {}) });
      return;
    case 'urge': {
      const tasks = urgeable(s, step.now);
      for (const task of tasks) task.lastUrgedAt = step.now;
      step.record('urged', { ...base, data: { ...base.data, taskIds: tasks.map((t) => t.taskId) } });
      step.notify({
        kind: 'urge',
        recipients: [...new Set(tasks.map((t) => t.assigneeId))],
        taskIds: tasks.map((t) => t.taskId),
        title: `催办: ${s.definition.name} ${s.businessKey}`,
      });
      return;
    }
  }
}

function applyReturn(step: Step, action: ActionRequest, task: Task): void {
  const s = step.state;
  const toStart = action.targetNodeId === 'start' || action.targetNodeId === startNodeOf(s.definition.nodes).id;
  close(step, task, 'returned', action);
  step.record('returned', {
    actorId: action.actorId,
    taskId: task.taskId,
    nodeId: task.nodeId,
    data: {
      actionId: action.actionId,
      targetNodeId: toStart ? 'start' : action.targetNodeId,
      ...(action.comment !== undefined ? { comment: action.comment } : {}),
    },
  });
  if (toStart) {
    closeOpenTasks(step, () => true, 'returned', 'returned');
    s.runs = [];
    s.forks = [];
    s.completedRuns = [];
    s.awaitingResubmit = true;
    abandonServiceCalls(step, () => true);
    return;
  }
  const target = returnTarget(s, task, action.targetNodeId!)!;
  const inScope = (token: string) => isWithinToken(token, target.token);
  const closing = new Set(s.runs.filter((r) => inScope(r.token)).map((r) => r.runId));
  closeOpenTasks(step, (t) => closing.has(t.runId), 'returned', 'returned');
  s.runs = s.runs.filter((r) => !closing.has(r.runId));
  s.forks = s.forks.filter((f) => !(inScope(f.parentToken) && f.forkId > target.runId));
  s.completedRuns = s.completedRuns.filter((c) => !(inScope(c.token) && c.order >= target.order));
  const standing = new Set(s.completedRuns.map((c) => c.runId));
  abandonServiceCalls(step, (call) => inScope(call.token) && !call.from.every((runId) => standing.has(runId)));
  // Re-entered as it was first entered, so the approval before it may still be revoked.
  enterNode(step, target.nodeId, target.token, target.enteredFrom);
}

function applyRevoke(step: Step, action: ActionRequest, plan: RevokePlan): void {
  const s = step.state;
  const { task } = plan;
  const undone = new Set(plan.successorRuns.map((r) => r.runId));
  closeOpenTasks(step, (t) => undone.has(t.runId), 'cancelled', 'revoked');
  s.runs = s.runs.filter((r) => !undone.has(r.runId));
  s.forks = s.forks.filter((f) => !f.enteredFrom.includes(plan.run.runId));
  for (const fork of s.forks) fork.arrivals = fork.arrivals.filter((a) => !a.from.includes(plan.run.runId));

  let run: NodeRun;
  if ('completedAt' in plan.run) {
    const { completedAt: _completedAt, order: _order, ...reopened } = plan.run;
    run = reopened;
    s.completedRuns = s.completedRuns.filter((c) => c.runId !== run.runId);
    s.runs.push(run);
    const node = approvalNodeOf(step, run);
    for (const t of s.tasks) {
      if (t.runId === run.runId && t.status === 'cancelled' && t.reason === 'node_completed') {
        t.status = 'pending';
        delete t.reason;
        delete t.completedAt;
        armTimers(step, t, node);
      }
    }
  } else {
    run = plan.run;
    delete run.pendingTurn;
  }
  if (plan.nextTurnTasks.length > 0) {
    const [first] = plan.nextTurnTasks;
    for (const t of plan.nextTurnTasks) {
      if (isOpen(t)) closeTask(t, 'cancelled', step.now, 'revoked');
    }
    const original = plan.nextTurnTasks.find((t) => !t.signer && !t.transferredFrom) ?? first!;
    run.queue.unshift(assignmentOf(original));
    run.turnSeat = task.seat;
  }
  task.status = 'pending';
  delete task.completedAt;
  delete task.comment;
  armTimers(step, task, approvalNodeOf(step, run));
  regate(step, run);
  step.record('revoked', { actorId: action.actorId, taskId: task.taskId, nodeId: task.nodeId, data: { actionId: action.actionId, undoneRuns: [...undone] } });
}

function assignmentOf(task: Task): Assignment {
  return {
    userId: task.assigneeId,
    ...(task.delegatedFrom ? { delegatedFrom: task.delegatedFrom } : {}),
    ...(task.substitutedFor ? { substitutedFor: task.substitutedFor } : {}),
  };
}

function rememberAction(state: InstanceState, actionId: string): void {
  state.recentActionIds.push(actionId);
  const excess = state.recentActionIds.length - limits.recentActionIds;
  if (excess > 0) state.recentActionIds.splice(0, excess);
}
