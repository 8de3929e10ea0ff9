import { passTaskOn } from './approval-run';
import type { Assignment } from './assignment';
import { isRefusal, refuse, type Refusal } from './refusals';
import { closeOpenTasks } from './routing';
import { endInstance } from './saga';
import { closeTask, isOpen, liveRunOf, type InstanceState, type NodeRun, type Task, type Transition } from './state';
import { transition } from './step';

/**
 * What an admin does to an instance from outside its flow (seed 001 §7.2): 强制终止 ends it, 修改审批人
 * gives an open task to someone else. The API decides who is an admin; the engine checks the
 * instance and records who did it and why. `requestId` is the idempotency key (the update id).
 */

export interface TerminateRequest {
  requestId: string;
  /** The admin: a user, or `app:{appKey}` for an app acting on its own account. */
  actorId: string;
  reason: string;
}

export interface ReassignRequest {
  requestId: string;
  actorId: string;
  taskId: string;
  toUserId: string;
  reason: string;
  /** `toUserId` after delegation, as the API resolved it (default: `toUserId` itself). */
  targets?: Assignment[];
}

interface ReassignPlan {
  task: Task;
  run: NodeRun;
  target: Assignment;
}

/** Why the instance may not be terminated now, or undefined when it may. */
export function terminationRefusal(state: InstanceState): Refusal | undefined {
  if (state.status !== 'running') return refuse('INSTANCE_NOT_RUNNING', `instance ${state.instanceId} is ${state.status}`);
  return undefined;
}

/** Every open task is cancelled and the instance ends `terminated`, after the compensations of its succeeded service nodes. */
export function terminate(state: InstanceState, request: TerminateRequest, now: string): Transition {
  return transition(state, now, (step) => {
    const refusal = terminationRefusal(step.state);
    if (refusal) throw new Error(`termination refused: ${refusal.code}: ${refusal.message}`);
    closeOpenTasks(step, () => true, 'cancelled', 'terminated');
    step.record('terminated', { actorId: request.actorId, data: { requestId: request.requestId, reason: request.reason } });
    endInstance(step, 'terminated');
  });
}

function planReassign(state: InstanceState, request: ReassignRequest): ReassignPlan | Refusal {
  if (state.status !== 'running') return refuse('INSTANCE_NOT_RUNNING', `instance ${state.instanceId} is ${state.status}`);
  const task = state.tasks.find((t) => t.taskId === request.taskId);
  if (!task) return refuse('TASK_NOT_FOUND', `instance ${state.instanceId} has no task "${request.taskId}"`);
  const run = liveRunOf(state, task);
  if (!isOpen(task) || !run) return refuse('TASK_NOT_PENDING', `task ${task.taskId} is ${task.status}, not open`);
  const target = request.targets?.[0] ?? { userId: request.toUserId };
  if (target.userId === task.assigneeId) return refuse('TRANSFER_TO_SELF', `task ${task.taskId} already belongs to ${task.assigneeId}`);
  const onNode = state.tasks.some((t) => t.runId === run.runId && isOpen(t) && t.assigneeId === target.userId);
  if (onNode) return refuse('ALREADY_ASSIGNEE', `${target.userId} already has an open task on this node`);
  return { task, run, target };
}

/** Why the task may not be reassigned as asked, or undefined when it may. */
export function reassignRefusal(state: InstanceState, request: ReassignRequest): Refusal | undefined {
  const plan = planReassign(state, request);
  return isRefusal(plan) ? plan : undefined;
}

/** The task moves to the target on the same seat; a task waiting for its signers stays waiting. */
export function reassign(state: InstanceState, request: ReassignRequest, now: string): Transition {
  return transition(state, now, (step) => {
    const plan = planReassign(step.state, request);
    if (isRefusal(plan)) throw new Error(`reassignment refused: ${plan.code}: ${plan.message}`);
    const { task, run, target } = plan;
    const held = task.status === 'waiting';
    closeTask(task, 'transferred', step.now, 'reassigned');
    step.record('reassigned', {
      actorId: request.actorId,
      taskId: task.taskId,
      nodeId: task.nodeId,
      data: { requestId: request.requestId, reason: request.reason, fromUserId: task.assigneeId, toUserId: target.userId },
    });
    passTaskOn(step, run, task, target, { status: held ? 'waiting' : 'pending' });
  });
}
