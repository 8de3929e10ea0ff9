import { Driver, line, minutesAfter } from '../test/support/engine-driver';
import { channelReported } from './channel-reports';

describe('problems the DingTalk channel reports', () => {
  it('each becomes a timeline event on its task, and nothing else changes', () => {
    const d = Driver.start(line(['first', ['u1']]));
    const task = d.state.tasks[0]!;
    const before = d.state;
    const { state, commands } = channelReported(
      before,
      [
        { type: 'card_fallback', taskId: task.taskId, userId: 'u1', code: 'param.userIdNotExist', message: 'unknown user' },
        { type: 'notice_failed', userId: 'u9', code: 'no_dingtalk_user', message: 'u9 has no DingTalk account' },
      ],
      minutesAfter(1),
    );
    expect(commands).toEqual([]);
    expect(state.timeline.slice(-2)).toEqual([
      {
        seq: before.nextEventSeq,
        type: 'card_fallback',
        at: minutesAfter(1),
        taskId: task.taskId,
        nodeId: 'first',
        data: { userId: 'u1', code: 'param.userIdNotExist', message: 'unknown user' },
      },
      {
        seq: before.nextEventSeq + 1,
        type: 'notice_failed',
        at: minutesAfter(1),
        data: { userId: 'u9', code: 'no_dingtalk_user', message: 'u9 has no DingTalk account' },
      },
    ]);
    expect({ ...state, timeline: before.timeline, nextEventSeq: before.nextEventSeq }).toEqual(before);
  });
});
