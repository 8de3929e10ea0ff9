import type { Assignment } from './assignment';
import { approvalNodeOf, armTimers, passTaskOn, settleRun, tellNewAssignee } from './approval-run';
import { addDuration } from './duration';
import { closeTask, liveRunOf, type InstanceState, type NodeRun, type Task } from './state';
import type { Step } from './step';

/**
 * Task deadlines (SPEC §5 timers). Each pending task carries its own `remindAt` / `actAt`, set
 * when it became pending — so a sequential turn, a transfer or a node re-entered after a return
 * starts its own clock. The workflow sleeps until `nextDeadline` and then calls `fireDueTimers`.
 */

export function nextDeadline(state: InstanceState): string | undefined {
  let earliest: string | undefined;
  for (const task of state.tasks) {
    if (task.status !== 'pending') continue;
    for (const at of [task.remindAt, task.actAt]) if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}

export function fireDueTimers(step: Step): void {
  const s = step.state;
  const reminded: Task[] = [];
  const touched = new Set<NodeRun>();
  for (const task of s.tasks) {
    if (task.status !== 'pending') continue;
    const run = liveRunOf(s, task);
    if (!run) continue;
    const node = approvalNodeOf(step, run);
    if (task.remindAt !== undefined && task.remindAt <= step.now) {
      reminded.push(task);
      const every = node.timeout?.remindEvery;
      if (every) {
        let next = addDuration(task.remindAt, every);
        while (next <= step.now) next = addDuration(next, every);
        task.remindAt = next;
      } else {
        delete task.remindAt;
      }
    }
    if (task.actAt !== undefined && task.actAt <= step.now) {
      delete task.actAt;
      const action = node.timeout?.action;
      step.record('timed_out', { taskId: task.taskId, nodeId: task.nodeId, data: { action } });
      if (action === 'approve' || action === 'reject') {
        closeTask(task, action === 'approve' ? 'auto_approved' : 'rejected', step.now, 'timeout');
        touched.add(run);
      } else if (action === 'escalate') {
        requestEscalation(step, task, { type: 'manager', levels: 1 }, true);
      } else if (action === 'to_admin') {
        requestEscalation(step, task, { type: 'admins', ids: s.definition.admins ?? [] }, false);
      }
    }
  }
  if (reminded.length > 0) {
    step.notify({
      kind: 'reminder',
      recipients: [...new Set(reminded.map((t) => t.assigneeId))],
      taskIds: reminded.map((t) => t.taskId),
      title: `待审批提醒: ${s.definition.name} ${s.businessKey}`,
    });
    step.record('reminded', { data: { taskIds: reminded.map((t) => t.taskId) } });
  }
  for (const run of touched) settleRun(step, run);
}

function requestEscalation(
  step: Step,
  task: Task,
  source: { type: 'manager'; levels: number } | { type: 'admins'; ids: string[] },
  fallbackToAdmins: boolean,
): void {
  const s = step.state;
  step.commands.push({
    type: 'resolve',
    purpose: { kind: 'escalate', taskId: task.taskId, fallbackToAdmins },
    request: { instanceId: s.instanceId, flowCode: s.flowCode, source, subjectId: task.assigneeId, initiatorId: s.initiatorId, applyDelegation: true },
  });
}

/** The escalation target is known: the task moves to them, or to the admins, or stays where it is. */
export function escalationResolved(step: Step, taskId: string, targets: Assignment[], fallbackToAdmins: boolean): void {
  const s = step.state;
  const task = s.tasks.find((t) => t.taskId === taskId);
  if (!task || task.status !== 'pending') return;
  const run = liveRunOf(s, task);
  if (!run) return;
  const onNode = new Set(s.tasks.filter((t) => t.runId === run.runId && (t.status === 'pending' || t.status === 'waiting')).map((t) => t.assigneeId));
  const target = targets.find((t) => !onNode.has(t.userId));
  if (!target) {
    if (fallbackToAdmins) {
      requestEscalation(step, task, { type: 'admins', ids: s.definition.admins ?? [] }, false);
      return;
    }
    step.record('escalation_failed', { taskId, nodeId: task.nodeId, data: { reason: 'nobody to escalate to' } });
    armTimers(step, task, approvalNodeOf(step, run), false);
    return;
  }
  closeTask(task, 'transferred', step.now, 'escalated');
  step.record('escalated', { taskId, nodeId: task.nodeId, data: { from: task.assigneeId, to: target.userId } });
  const successor = passTaskOn(step, run, task, target, { timeoutAction: false });
  tellNewAssignee(step, 'escalated', successor, '超时转交');
}
