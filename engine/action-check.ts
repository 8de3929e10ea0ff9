import type {
  ActionRequest,
  AddSignerAction,
  ApproveAction,
  CommentAction,
  RejectAction,
  RemoveSignerAction,
  ResubmitAction,
  ReturnAction,
  RevokeAction,
  TransferAction,
  UrgeAction,
  WithdrawAction,
} from './action-request';
import type { Assignment } from './assignment';
import { validateForm } from './form';
import { MAX_SIGNERS_PER_ACTION } from './limits';
import { isRefusal, refuse, type Refusal } from './refusals';
import { startNodeOf } from './routing';
import { findNodeOfType, isOpen, isWithinToken, liveRunOf, type CompletedRun, type InstanceState, type NodeRun, type Task } from './state';

/**
 * The synchronous check of an action (the workflow's update validator: a refusal leaves nothing
 * in history). What it found — the task, the target, what will change — is the plan that
 * `applyAction` carries out without looking anything up again.
 */

export type ActionPlan =
  | { type: 'approve'; action: ApproveAction; task: Task }
  | { type: 'reject'; action: RejectAction; task: Task }
  | { type: 'transfer'; action: TransferAction; task: Task; target: Assignment }
  | { type: 'add_signer'; action: AddSignerAction; task: Task; signers: Assignment[] }
  | { type: 'remove_signer'; action: RemoveSignerAction; removed: Task[] }
  | { type: 'return'; action: ReturnAction; task: Task; target: CompletedRun | 'start' }
  | { type: 'resubmit'; action: ResubmitAction }
  | { type: 'revoke'; action: RevokeAction; revoke: RevokePlan }
  | { type: 'withdraw'; action: WithdrawAction }
  | { type: 'comment'; action: CommentAction }
  | { type: 'urge'; action: UrgeAction; tasks: Task[] };

/** 撤回审批: the approval taken back and what it is undone to. */
export interface RevokePlan {
  task: Task;
  run: NodeRun | CompletedRun;
  /** Active runs and forks that the approval led to and that will be undone. */
  successorRuns: NodeRun[];
  /** Sequential, run still active: the turn that follows and will be taken back. */
  nextTurnTasks: Task[];
}

export type ActionCheck = { ok: true; plan: ActionPlan } | { ok: false; refusal: Refusal };

const URGE_INTERVAL_MS = 3_600_000;

/** Checks `action` against the state; the plan when it may be applied, else why not. */
export function checkAction(state: InstanceState, action: ActionRequest, now: string): ActionCheck {
  const plan = planOf(state, action, now);
  return isRefusal(plan) ? { ok: false, refusal: plan } : { ok: true, plan };
}

function planOf(state: InstanceState, action: ActionRequest, now: string): ActionPlan | Refusal {
  if (state.status !== 'running') return refuse('INSTANCE_NOT_RUNNING', `instance ${state.instanceId} is ${state.status}`);
  const initiatorOnly = () => (action.actorId === state.initiatorId ? undefined : refuse('NOT_INITIATOR', `only the initiator may ${action.type}`));
  switch (action.type) {
    case 'approve':
    case 'reject': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      return action.type === 'approve' ? { type: 'approve', action, task } : { type: 'reject', action, task };
    }
    case 'transfer': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      const target = action.targets?.[0] ?? { userId: action.toUserId };
      if (action.toUserId === action.actorId || target.userId === action.actorId)
        return refuse('TRANSFER_TO_SELF', 'a task cannot be transferred to its own assignee');
      if (openAssigneesOf(state, task.runId).has(target.userId)) return refuse('ALREADY_ASSIGNEE', `${target.userId} already has an open task on this node`);
      return { type: 'transfer', action, task, target };
    }
    case 'add_signer': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      if (action.signers.length === 0) return refuse('INVALID_SIGNERS', 'add_signer needs at least one signer');
      if (action.signers.length > MAX_SIGNERS_PER_ACTION) return tooManySigners(action.signers.length);
      const signers = action.targets ?? action.signers.map((userId) => ({ userId }));
      const open = openAssigneesOf(state, task.runId);
      if (signers.some((t) => t.userId === action.actorId) || action.signers.includes(action.actorId))
        return refuse('INVALID_SIGNERS', 'an assignee cannot add themselves');
      const clash = signers.find((t) => open.has(t.userId));
      if (clash) return refuse('ALREADY_ASSIGNEE', `${clash.userId} already has an open task on this node`);
      if (new Set(signers.map((t) => t.userId)).size !== signers.length) return refuse('INVALID_SIGNERS', 'a signer is listed twice');
      return { type: 'add_signer', action, task, signers };
    }
    case 'remove_signer': {
      const removable = removableSigners(state, action.actorId);
      if (removable.length === 0) return refuse('NOTHING_TO_REMOVE', `${action.actorId} has added no signer who has yet to act`);
      const named = action.signers;
      if (named && named.length > MAX_SIGNERS_PER_ACTION) return tooManySigners(named.length);
      const unknown = (named ?? []).filter((id) => !removable.some((t) => t.assigneeId === id));
      if (unknown.length > 0) return refuse('INVALID_SIGNERS', `not signers added by ${action.actorId} who have yet to act: ${unknown.join(', ')}`);
      return { type: 'remove_signer', action, removed: named ? removable.filter((t) => named.includes(t.assigneeId)) : removable };
    }
    case 'return': {
      const task = pendingTaskOf(state, action);
      if (isRefusal(task)) return task;
      if (action.targetNodeId === 'start' || action.targetNodeId === startNodeOf(state.definition.nodes).id)
        return { type: 'return', action, task, target: 'start' };
      const target = returnTarget(state, task, action.targetNodeId);
      if (!target) {
        return refuse(
          'INVALID_TARGET_NODE',
          `"${action.targetNodeId}" is not an approval node this task may return to (it must have completed earlier on this branch)`,
        );
      }
      return { type: 'return', action, task, target };
    }
    case 'resubmit': {
      if (action.actorId !== state.initiatorId) return refuse('NOT_INITIATOR', 'only the initiator may resubmit');
      if (!state.awaitingResubmit) return refuse('NOT_RETURNED', 'the instance has not been returned to the initiator');
      // Against the definition this instance runs, not the latest version.
      // The form's size is bounded by the API's schema, not here: a resubmit accepted before the bound existed must replay as it ran.
      const problems = action.form ? validateForm(state.definition.form.fields, action.form) : [];
      if (problems.length > 0) return refuse('INVALID_FORM', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
      return { type: 'resubmit', action };
    }
    case 'revoke': {
      const revoke = planRevoke(state, action);
      return isRefusal(revoke) ? revoke : { type: 'revoke', action, revoke };
    }
    case 'withdraw':
      return initiatorOnly() ?? { type: 'withdraw', action };
    case 'comment':
      if (!isParticipant(state, action.actorId)) return refuse('NOT_PARTICIPANT', `${action.actorId} takes no part in instance ${state.instanceId}`);
      return { type: 'comment', action };
    case 'urge': {
      const refusal = initiatorOnly();
      if (refusal) return refusal;
      if (!state.tasks.some((t) => t.status === 'pending')) return refuse('NOTHING_TO_URGE', 'no task is pending');
      const tasks = urgeable(state, now);
      return tasks.length > 0 ? { type: 'urge', action, tasks } : refuse('URGE_TOO_SOON', 'every pending task was urged less than an hour ago');
    }
  }
}

/**
 * The API's schema holds signers to the same bound (and always has, so no accepted update in any history names more):
 * this keeps the workflow's validator in agreement for any other way an action reaches it.
 */
const tooManySigners = (count: number) => refuse('INVALID_SIGNERS', `${count} signers named; at most ${MAX_SIGNERS_PER_ACTION} per action`);

/** The pending task an action works on: the named one, or the actor's pending task on a current node. */
function pendingTaskOf(state: InstanceState, action: ActionRequest): Task | Refusal {
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

function openAssigneesOf(state: InstanceState, runId: number): Set<string> {
  return new Set(state.tasks.filter((t) => t.runId === runId && isOpen(t)).map((t) => t.assigneeId));
}

/** Completed approval runs a task may be returned to: same branch or an enclosing one. */
function returnTarget(state: InstanceState, task: Task, targetNodeId: string): CompletedRun | undefined {
  const run = liveRunOf(state, task);
  if (!run) return undefined;
  return state.completedRuns.filter((c) => c.nodeId === targetNodeId && isWithinToken(run.token, c.token)).sort((a, b) => b.order - a.order)[0];
}

function isHumanClosed(task: Task): boolean {
  return !isOpen(task) && task.status !== 'auto_approved' && task.reason === undefined;
}

function planRevoke(state: InstanceState, action: RevokeAction): RevokePlan | Refusal {
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

function removableSigners(state: InstanceState, actorId: string): Task[] {
  return state.tasks.filter((t) => t.signer?.addedBy === actorId && isOpen(t) && liveRunOf(state, t));
}

function urgeable(state: InstanceState, now: string): Task[] {
  const nowMs = Date.parse(now);
  return state.tasks.filter((t) => t.status === 'pending' && (t.lastUrgedAt === undefined || nowMs - Date.parse(t.lastUrgedAt) >= URGE_INTERVAL_MS));
}
