import type { InstanceState, Transition } from './state';
import { transition } from './step';

/** Something the approver channel (DingTalk) could not do for a task or a person, as the timeline records it. */
export interface ChannelProblem {
  /** card_fallback: no card, a work notification linked the page instead; the others: not delivered. */
  type: 'card_fallback' | 'card_failed' | 'todo_failed' | 'notice_failed';
  taskId?: string;
  userId: string;
  /** DingTalk's code (`param.userIdNotExist`, `60011`) or ours (`no_dingtalk_user`). */
  code: string;
  message: string;
}

/** The channel reported problems: each becomes a timeline event on its task's node. No state besides the timeline changes. */
export function channelReported(state: InstanceState, problems: ChannelProblem[], now: string): Transition {
  return transition(state, now, (step) => {
    for (const problem of problems) {
      const task = problem.taskId === undefined ? undefined : step.state.tasks.find((t) => t.taskId === problem.taskId);
      step.record(problem.type, {
        ...(task ? { taskId: task.taskId, nodeId: task.nodeId } : {}),
        data: { userId: problem.userId, code: problem.code, message: problem.message },
      });
    }
  });
}
