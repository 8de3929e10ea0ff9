import { APP, callOapi, startFake, stopFakes } from './fake-test-client';
import type { RunningFakeDingTalk } from './fake-dingtalk';

afterEach(stopFakes);

const SEND = '/topapi/message/corpconversation/asyncsend_v2';
const actionCard = (markdown: string) => ({
  msgtype: 'action_card',
  action_card: { title: '审批提醒', markdown, single_title: '去审批', single_url: 'http://127.0.0.1:3000/h5/tasks/i/t' },
});
const send = (fake: RunningFakeDingTalk, body: Record<string, unknown>) => callOapi(fake, SEND, { agent_id: APP.agentId, userid_list: 'dt_one', ...body });

describe('work notifications', () => {
  it('are accepted with a task_id and arrive; the same content to the same user that day is dropped silently', async () => {
    let clock = Date.parse('2026-03-02T02:00:00Z');
    const fake = await startFake({ now: () => clock });
    const first = await send(fake, { userid_list: 'dt_one,dt_two', msg: actionCard('**请审批** 办公椅') });
    expect(first).toMatchObject({ status: 200, json: { errcode: 0, task_id: expect.any(Number), request_id: expect.any(String) } });
    const again = await send(fake, { msg: actionCard('**请审批** 办公椅') });
    expect(again.json?.errcode).toBe(0);
    const varied = await send(fake, { msg: actionCard('**请审批** 办公椅（第 2 次提醒）') });
    expect(varied.json?.errcode).toBe(0);

    expect(fake.state.noticesOf('dt_one').map((n) => [n.arrived, n.dropReason])).toEqual([
      [true, undefined],
      [false, 'same_content_today'],
      [true, undefined],
    ]);
    expect(fake.state.noticesOf('dt_two')).toHaveLength(1);

    const result = await callOapi(fake, '/topapi/message/corpconversation/getsendresult', { agent_id: APP.agentId, task_id: again.json?.task_id });
    expect(result.json).toMatchObject({
      errcode: 0,
      send_result: { unread_user_id_list: [], forbidden_user_id_list: ['dt_one'], forbidden_list: [{ code: '143106', count: 1, userid: 'dt_one' }] },
    });

    clock += 24 * 3600_000;
    await send(fake, { msg: actionCard('**请审批** 办公椅') });
    expect(fake.state.noticesOf('dt_one').at(-1)?.arrived).toBe(true);
  });

  it('an unknown user is accepted, then listed invalid by getsendresult', async () => {
    const fake = await startFake();
    const sent = await send(fake, { userid_list: 'dt_one,dt_ghost', msg: { msgtype: 'text', text: { content: '你好' } } });
    const result = await callOapi(fake, '/topapi/message/corpconversation/getsendresult', { agent_id: APP.agentId, task_id: sent.json?.task_id });
    expect(result.json?.send_result).toMatchObject({ unread_user_id_list: ['dt_one'], invalid_user_id_list: ['dt_ghost'] });
  });

  it.each([
    ['no agent_id', { agent_id: undefined, msg: actionCard('x') }, 40035],
    ['another app’s agent_id', { agent_id: 1, msg: actionCard('x') }, 40056],
    ['no userid_list', { userid_list: '', msg: actionCard('x') }, 40035],
    ['over 100 recipients', { userid_list: Array.from({ length: 101 }, (_, i) => `u${i}`).join(','), msg: actionCard('x') }, 40032],
    ['no msg', {}, 40035],
    ['an unknown msgtype', { msg: { msgtype: 'video' } }, 34004],
    ['an action_card without buttons', { msg: { msgtype: 'action_card', action_card: { title: 't', markdown: 'm' } } }, 34014],
    [
      'an action_card with an empty button list',
      { msg: { msgtype: 'action_card', action_card: { title: 't', markdown: 'm', btn_orientation: '1', btn_json_list: [] } } },
      34014,
    ],
    ['a msg over 2048 bytes', { msg: actionCard('审'.repeat(700)) }, 34016],
  ])('refuse %s (errcode %i, HTTP 200)', async (_what, body, errcode) => {
    const fake = await startFake();
    expect(await send(fake, body)).toMatchObject({ status: 200, json: { errcode } });
    expect(fake.state.noticeBook.all()).toEqual([]);
  });

  it('take the button-list form of action_card', async () => {
    const fake = await startFake();
    const msg = {
      msgtype: 'action_card',
      action_card: {
        title: '审批结果',
        markdown: '审批通过',
        btn_orientation: '1',
        btn_json_list: [{ title: '查看', action_url: 'http://127.0.0.1:3000/h5' }],
      },
    };
    expect((await send(fake, { msg })).json?.errcode).toBe(0);
    expect(fake.state.noticesOf('dt_one')[0]?.msg).toEqual(msg);
  });

  it('getsendresult: 40056 for another agent, 400002 for an unknown task', async () => {
    const fake = await startFake();
    const sent = await send(fake, { msg: actionCard('x') });
    expect((await callOapi(fake, '/topapi/message/corpconversation/getsendresult', { agent_id: 9, task_id: sent.json?.task_id })).json?.errcode).toBe(40056);
    expect((await callOapi(fake, '/topapi/message/corpconversation/getsendresult', { agent_id: APP.agentId, task_id: 1 })).json?.errcode).toBe(400002);
  });
});
