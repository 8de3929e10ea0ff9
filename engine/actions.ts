import type { ActionPlan, RevokePlan } from './action-check';
import type { ActionRequest } from './action-request';
import type { Assignment } from './assignment';
import { approvalNodeOf, armTimers, createTask, passTaskOn, regate, settleRun } from './approval-run';
import { closeOpenTasks, enterNode, startNodeOf } from './routing';
import { endInstance } from './saga';
import { abandonServiceCalls } from './service-nodes';
import { closeTask, holdTask, isOpen, isWithinToken, liveRunOf, type CompletedRun, type NodeRun, type Task } from './state';
import type { Step } from './step';

/** Carries out an action as `checkAction` planned it (SPEC §5): what the plan names is all it touches. */
export function applyAction(step: Step, plan: ActionPlan): void {
  const s = step.state;
  const { action } = plan;
  const base = { actorId: action.actorId, data: { actionId: action.actionId, ...commentOf(action) } };

  switch (plan.type) {
    case 'approve':
    case 'reject': {
      const { task } = plan;
      close(step, task, plan.type === 'approve' ? 'approved' : 'rejected', action);
      step.record(plan.type === 'approve' ? 'approved' : 'rejected', { ...base, taskId: task.taskId, nodeId: task.nodeId });
      settleRun(step, runOf(step, task));
      return;
    }
    case 'transfer': {
      const { task, target } = plan;
      const run = runOf(step, task);
      close(step, task, 'transferred', action);
      step.record('transferred', { ...base, taskId: task.taskId, nodeId: task.nodeId, data: { ...base.data, toUserId: target.userId } });
      passTaskOn(step, run, task, target);
      return;
    }
    case 'add_signer': {
      const { task: owner, signers } = plan;
      const run = runOf(step, owner);
      const { position } = plan.action;
      const signer = { position, addedByTaskId: owner.taskId, addedBy: action.actorId };
      step.record('signers_added', {
        ...base,
        taskId: owner.taskId,
        nodeId: owner.nodeId,
        data: { ...base.data, position, signers: signers.map((t) => t.userId) },
      });
      if (position === 'before') holdTask(owner);
      for (const assignment of signers) {
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
      const runs = new Set<NodeRun>();
      for (const task of plan.removed) {
        closeTask(task, 'cancelled', step.now, 'removed');
        runs.add(runOf(step, task));
      }
      step.record('signers_removed', { ...base, data: { ...base.data, signers: plan.removed.map((t) => t.assigneeId) } });
      for (const run of runs) settleRun(step, run);
      return;
    }
    case 'return':
      returnTask(step, plan.action, plan.task, plan.target);
      return;
    case 'resubmit': {
      if (plan.action.form) s.form = plan.action.form;
      s.awaitingResubmit = false;
      step.record('resubmitted', { ...base, data: { ...base.data, formChanged: plan.action.form !== undefined } });
      enterNode(step, startNodeOf(s.definition.nodes).next, '', []);
      return;
    }
    case 'revoke':
      revokeApproval(step, action, plan.revoke);
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
      const { tasks } = plan;
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

const commentOf = (action: ActionRequest) => (action.comment !== undefined ? { comment: action.comment } : {});

function close(step: Step, task: Task, status: Task['status'], action: ActionRequest): void {
  closeTask(task, status, step.now);
  if (action.comment !== undefined) task.comment = action.comment;
}

function runOf(step: Step, task: Task): NodeRun {
  const run = liveRunOf(step.state, task);
  if (!run) throw new Error(`task ${task.taskId} is not on a live run`);
  return run;
}

function returnTask(step: Step, action: ActionRequest, task: Task, target: CompletedRun | 'start'): void {
  const s = step.state;
  close(step, task, 'returned', action);
  step.record('returned', {
    actorId: action.actorId,
    taskId: task.taskId,
    nodeId: task.nodeId,
    data: { actionId: action.actionId, targetNodeId: target === 'start' ? 'start' : target.nodeId, ...commentOf(action) },
  });
  if (target === 'start') {
    closeOpenTasks(step, () => true, 'returned', 'returned');
    s.runs = [];
    s.forks = [];
    s.completedRuns = [];
    s.awaitingResubmit = true;
    abandonServiceCalls(step, () => true);
    return;
  }
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

function revokeApproval(step: Step, action: ActionRequest, plan: RevokePlan): void {
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
