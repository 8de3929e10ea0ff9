import { approvalNodeOf, passTaskOn, settleRun, tellNewAssignee } from './approval-run';
import type { Assignment } from './assignment';
import { adminLookup } from './lookup-request';
import { closeTask, isOpen, liveRunOf, type InstanceState, type NodeRun, type Task } from './state';
import type { Step } from './step';

/**
 * Approvers who left (SPEC §6: a `full` org push deactivates whom it leaves out). Their open
 * tasks are not lost: each goes where its node's `onEmpty` points — `to_admin` hands it to the
 * flow's admins, `auto_approve` approves it, `reject` (the default) rejects it — and the node's
 * mode then decides as it would for any other vote.
 */

/** Open tasks of live runs held by one of `userIds`, not already being handed over. */
export function departedTasks(state: InstanceState, userIds: readonly string[]): Task[] {
  if (state.status !== 'running') return [];
  const departed = new Set(userIds);
  return state.tasks.filter((t) => isOpen(t) && departed.has(t.assigneeId) && !t.handingOver && liveRunOf(state, t) !== undefined);
}

export function handOverDeparted(step: Step, userIds: readonly string[]): void {
  const s = step.state;
  const touched = new Set<NodeRun>();
  for (const task of departedTasks(s, userIds)) {
    const run = liveRunOf(s, task)!;
    const policy = approvalNodeOf(step, run).onEmpty ?? 'reject';
    step.record('assignee_departed', { taskId: task.taskId, nodeId: task.nodeId, data: { userId: task.assigneeId, policy } });
    if (policy === 'to_admin') {
      task.handingOver = true;
      step.commands.push({ type: 'resolve', purpose: { kind: 'handover', taskId: task.taskId }, request: adminLookup(s, task.assigneeId) });
      continue;
    }
    closeDeparted(step, task, policy === 'auto_approve' ? 'auto_approved' : 'rejected');
    touched.add(run);
  }
  for (const run of touched) settleRun(step, run);
}

/** The admins are known: the task moves to the first one not already on the node, or is rejected when there is none. */
export function handoverResolved(step: Step, taskId: string, admins: Assignment[]): void {
  const s = step.state;
  const task = s.tasks.find((t) => t.taskId === taskId);
  if (!task) return;
  delete task.handingOver;
  const run = liveRunOf(s, task);
  if (!isOpen(task) || !run) return; // decided, returned or revoked while the admins were looked up
  const onNode = new Set(s.tasks.filter((t) => t.runId === run.runId && isOpen(t)).map((t) => t.assigneeId));
  const target = admins.find((a) => !onNode.has(a.userId));
  if (!target) {
    closeDeparted(step, task, 'rejected', 'no_admin');
    settleRun(step, run);
    return;
  }
  const held = task.status === 'waiting';
  closeTask(task, 'transferred', step.now, 'departed');
  step.record('handed_over', { taskId, nodeId: task.nodeId, data: { from: task.assigneeId, to: target.userId } });
  // A waiting task (held by its signers) stays waiting with its new assignee.
  const successor = passTaskOn(step, run, task, target, { status: held ? 'waiting' : 'pending' });
  settleRun(step, run);
  if (successor.status === 'pending') tellNewAssignee(step, 'handed_over', successor, '离职转交');
}

function closeDeparted(step: Step, task: Task, status: 'auto_approved' | 'rejected', reason: 'departed' | 'no_admin' = 'departed'): void {
  closeTask(task, status, step.now, reason);
  step.record('task_completed', { taskId: task.taskId, nodeId: task.nodeId, data: { status, reason } });
}
