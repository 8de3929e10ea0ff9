import type { Assignment } from './assignment';
import type { ApprovalNode } from './dsl';
import { addDuration } from './duration';
import { adminLookup } from './lookup-request';
import { completeRun, rejectInstance } from './routing';
import { closeTask, findNodeOfType, holdTask, isOpen, limits, stopTimers, type NodeRun, type Task, type TaskStatus } from './state';
import type { Step } from './step';

/**
 * An approval node while it runs: its seats (ballots), the tasks that fill them, and the rule
 * of its mode that decides when the node is approved or rejected.
 */

export function approvalNodeOf(step: Step, run: NodeRun): ApprovalNode {
  return findNodeOfType(step.state.definition, run.nodeId, 'approval');
}

/** Users whose approval still stands in this pass (live runs only: a return un-does approvals after its target). */
export function standingApprovers(step: Step): Set<string> {
  const s = step.state;
  const live = new Set([...s.runs, ...s.completedRuns].map((r) => r.runId));
  return new Set(s.tasks.filter((t) => t.status === 'approved' && live.has(t.runId)).map((t) => t.assigneeId));
}

/** Arms a pending task's reminder and timeout from the node's `timeout`. */
export function armTimers(step: Step, task: Task, node: ApprovalNode, withTimeoutAction = true): void {
  stopTimers(task);
  const timeout = node.timeout;
  if (!timeout) return;
  if (timeout.remindAfter) task.remindAt = addDuration(step.now, timeout.remindAfter);
  if (timeout.actAfter && withTimeoutAction) task.actAt = addDuration(step.now, timeout.actAfter);
}

export interface NewTask {
  assignment: Assignment;
  seat: number;
  status?: Extract<TaskStatus, 'pending' | 'waiting'>;
  signer?: Task['signer'];
  transferredFrom?: string;
  /** Escalated tasks get reminders but no second timeout action (no escalation chains). */
  timeoutAction?: boolean;
}

export function createTask(step: Step, run: NodeRun, spec: NewTask): Task {
  const s = step.state;
  const node = approvalNodeOf(step, run);
  const { assignment } = spec;
  const task: Task = {
    taskId: `${run.nodeId}.${s.nextTaskSeq++}`,
    nodeId: run.nodeId,
    runId: run.runId,
    seat: spec.seat,
    assigneeId: assignment.userId,
    status: spec.status ?? 'pending',
    ...(assignment.delegatedFrom ? { delegatedFrom: assignment.delegatedFrom } : {}),
    ...(assignment.substitutedFor ? { substitutedFor: assignment.substitutedFor } : {}),
    ...(spec.signer ? { signer: spec.signer } : {}),
    ...(spec.transferredFrom ? { transferredFrom: spec.transferredFrom } : {}),
    createdAt: step.now,
  };
  if (task.status === 'pending') armTimers(step, task, node, spec.timeoutAction ?? true);
  s.tasks.push(task);
  step.record('task_created', {
    taskId: task.taskId,
    nodeId: task.nodeId,
    data: {
      assigneeId: task.assigneeId,
      status: task.status,
      ...(task.delegatedFrom ? { delegatedFrom: task.delegatedFrom } : {}),
      ...(task.substitutedFor ? { substitutedFor: task.substitutedFor } : {}),
      ...(task.signer ? { signer: task.signer } : {}),
    },
  });
  return task;
}

/** A task came to someone by a rule, not by a person's action: they are told (work notification). */
export function tellNewAssignee(step: Step, kind: 'escalated' | 'handed_over', task: Task, label: string): void {
  const s = step.state;
  step.notify({ kind, recipients: [task.assigneeId], taskIds: [task.taskId], nodeId: task.nodeId, title: `${label}: ${s.definition.name} ${s.businessKey}` });
}

/**
 * Someone else takes over a task (transfer, escalation, a leaver's hand-over): a new task on the
 * same seat, as the same signer, and the signers waiting on the old task now wait on it.
 */
export function passTaskOn(step: Step, run: NodeRun, task: Task, target: Assignment, options: Pick<NewTask, 'status' | 'timeoutAction'> = {}): Task {
  const successor = createTask(step, run, {
    assignment: target,
    seat: task.seat,
    ...options,
    ...(task.signer ? { signer: task.signer } : {}),
    transferredFrom: task.taskId,
  });
  for (const t of step.state.tasks) {
    if (t.signer?.addedByTaskId === task.taskId && isOpen(t)) t.signer = { ...t.signer, addedByTaskId: successor.taskId };
  }
  return successor;
}

/** A seat the node's own approver list fills: dedupe and the initiator rule may approve it at once. */
function openSeat(step: Step, run: NodeRun, assignment: Assignment): void {
  const s = step.state;
  const node = approvalNodeOf(step, run);
  const seat = run.nextSeat++;
  const task = createTask(step, run, { assignment, seat });
  const byDedupe = node.dedupe !== false && standingApprovers(step).has(assignment.userId);
  const byInitiatorRule = node.whenApproverIsInitiator === 'auto_approve' && node.approvers.type !== 'initiator' && assignment.userId === s.initiatorId;
  if (byDedupe || byInitiatorRule) {
    closeTask(task, 'auto_approved', step.now, byDedupe ? 'dedupe' : 'initiator');
    step.record('task_completed', { taskId: task.taskId, nodeId: task.nodeId, data: { status: task.status, reason: task.reason } });
  }
}

/** The node's approver list is known: open its seats, or apply `onEmpty`. */
export function openRun(step: Step, run: NodeRun, assignments: Assignment[]): void {
  const s = step.state;
  const node = approvalNodeOf(step, run);
  const unique = assignments.filter((a, i) => assignments.findIndex((b) => b.userId === a.userId) === i);
  if (unique.length === 0) {
    const policy = node.onEmpty ?? 'reject';
    step.record('no_approver', { nodeId: node.id, data: { policy } });
    if (policy === 'to_admin') {
      step.commands.push({ type: 'resolve', purpose: { kind: 'node_admins', runId: run.runId }, request: adminLookup(s, s.initiatorId) });
      return;
    }
    recordAutomaticOutcome(step, node.id, policy === 'auto_approve' ? 'approved' : 'rejected', 'no_approver');
    if (policy === 'auto_approve') completeRun(step, run);
    else rejectInstance(step, node.id);
    return;
  }
  run.phase = 'active';
  if (node.mode === 'sequential') {
    run.queue = unique.slice(1);
    run.turnSeat = run.nextSeat;
    openSeat(step, run, unique[0]!);
  } else {
    for (const assignment of unique) openSeat(step, run, assignment);
  }
  settleRun(step, run);
}

/** `to_admin` found nobody either: the node is rejected (nobody may sign, so nothing passes). */
export function openRunWithAdmins(step: Step, run: NodeRun, admins: Assignment[]): void {
  if (admins.length > 0) {
    openRun(step, run, admins);
    return;
  }
  recordAutomaticOutcome(step, run.nodeId, 'rejected', 'no_admin');
  rejectInstance(step, run.nodeId);
}

function recordAutomaticOutcome(step: Step, nodeId: string, outcome: 'approved' | 'rejected', reason: 'no_approver' | 'no_admin'): void {
  const outcomes = step.state.automaticOutcomes;
  outcomes.push({ nodeId, outcome, reason });
  if (outcomes.length > limits.automaticOutcomes) outcomes.splice(0, outcomes.length - limits.automaticOutcomes);
}

type SeatOutcome = 'pending' | 'approved' | 'rejected' | 'void';

function seatOutcome(tasks: Task[]): SeatOutcome {
  if (tasks.some((t) => t.status === 'rejected')) return 'rejected';
  if (tasks.some(isOpen)) return 'pending';
  if (tasks.some((t) => t.status === 'approved' || t.status === 'auto_approved')) return 'approved';
  return 'void';
}

/** A task is held `waiting` while its own `before` signers are open, and an `after` signer until its owner approved. */
function isGated(task: Task, runTasks: Task[]): boolean {
  if (task.signer?.position === 'after') {
    const owner = runTasks.find((t) => t.taskId === task.signer!.addedByTaskId);
    if (!owner || (owner.status !== 'approved' && owner.status !== 'auto_approved')) return true;
  }
  return runTasks.some((t) => t.signer?.position === 'before' && t.signer.addedByTaskId === task.taskId && isOpen(t));
}

/** Releases waiting tasks whose gates opened (a rejected before-signer rejects the seat instead). */
function releaseGates(step: Step, run: NodeRun): void {
  const node = approvalNodeOf(step, run);
  const tasks = step.state.tasks.filter((t) => t.runId === run.runId);
  for (const task of tasks) {
    if (task.status !== 'waiting' || isGated(task, tasks)) continue;
    const rejectedBefore = tasks.some((t) => t.signer?.position === 'before' && t.signer.addedByTaskId === task.taskId && t.status === 'rejected');
    if (rejectedBefore) continue;
    task.status = 'pending';
    armTimers(step, task, node);
    step.record('task_reactivated', { taskId: task.taskId, nodeId: task.nodeId });
  }
}

/** After tasks were re-opened (revoke): every pending task whose gates are closed again waits. */
export function regate(step: Step, run: NodeRun): void {
  const tasks = step.state.tasks.filter((t) => t.runId === run.runId);
  for (const task of tasks) {
    if (task.status === 'pending' && isGated(task, tasks)) holdTask(task);
  }
}

type Decision = 'approved' | 'rejected' | 'next_turn' | 'open';

function decide(node: ApprovalNode, run: NodeRun, outcomes: Map<number, SeatOutcome>): Decision {
  const counted = [...outcomes.values()].filter((o) => o !== 'void');
  const approved = counted.filter((o) => o === 'approved').length;
  const rejected = counted.filter((o) => o === 'rejected').length;
  const pending = counted.filter((o) => o === 'pending').length;
  switch (node.mode) {
    case 'any':
      if (approved > 0) return 'approved';
      return pending === 0 ? 'rejected' : 'open';
    case 'all':
      if (rejected > 0) return 'rejected';
      return pending === 0 ? 'approved' : 'open';
    case 'sequential':
      if (rejected > 0) return 'rejected';
      if (outcomes.get(run.turnSeat) !== 'approved' || run.pendingTurn !== undefined) return 'open';
      if (run.queue.length > 0) return 'next_turn';
      return pending === 0 ? 'approved' : 'open';
    case 'vote': {
      const total = counted.length;
      const needed = node.passCount ?? Math.max(1, Math.ceil(node.passRatio! * total - 1e-9));
      if (approved >= needed) return 'approved';
      return approved + pending < needed ? 'rejected' : 'open';
    }
  }
}

/** Re-reads a run after any change to its tasks and moves it on as its mode says. */
export function settleRun(step: Step, run: NodeRun): void {
  const node = approvalNodeOf(step, run);
  for (;;) {
    if (step.state.status !== 'running' || !step.state.runs.includes(run)) return;
    releaseGates(step, run);
    const outcomes = new Map<number, SeatOutcome>();
    const tasks = step.state.tasks.filter((t) => t.runId === run.runId);
    for (const seat of new Set(tasks.map((t) => t.seat))) outcomes.set(seat, seatOutcome(tasks.filter((t) => t.seat === seat)));
    switch (decide(node, run, outcomes)) {
      case 'open':
        return;
      case 'approved':
        completeRun(step, run);
        return;
      case 'rejected':
        rejectInstance(step, node.id);
        return;
      case 'next_turn': {
        if (step.state.features?.turnLookups) {
          requestTurnLookup(step, run);
          return;
        }
        const next = run.queue.shift()!;
        run.turnSeat = run.nextSeat;
        openSeat(step, run, next);
        continue;
      }
    }
  }
}

/** Looks the next turn's assignee up again: delegations and deactivations since the node began count. */
function requestTurnLookup(step: Step, run: NodeRun): void {
  const s = step.state;
  const next = run.queue[0]!;
  run.pendingTurn = run.nextSeat;
  step.commands.push({
    type: 'resolve',
    purpose: { kind: 'turn', runId: run.runId, turn: run.pendingTurn },
    request: {
      instanceId: s.instanceId,
      flowCode: s.flowCode,
      source: { type: 'users', ids: [next.delegatedFrom ?? next.userId] },
      subjectId: s.initiatorId,
      initiatorId: s.initiatorId,
      applyDelegation: true,
    },
  });
}

/** The next turn's assignee is known: open the seat, or skip a person who is no longer active. */
export function openTurn(step: Step, run: NodeRun, turn: number, answer: Assignment[]): void {
  if (run.pendingTurn !== turn) return; // the turn was taken back (revoke) while it was looked up
  delete run.pendingTurn;
  const planned = run.queue.shift()!;
  const found = answer[0];
  if (found) {
    run.turnSeat = run.nextSeat;
    openSeat(step, run, planned.substitutedFor ? { ...found, substitutedFor: planned.substitutedFor } : found);
  } else {
    step.record('turn_skipped', { nodeId: run.nodeId, data: { userId: planned.delegatedFrom ?? planned.userId, reason: 'not an active user' } });
  }
  settleRun(step, run);
}
