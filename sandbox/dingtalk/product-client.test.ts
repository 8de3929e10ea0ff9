import { createDingTalkClient } from '../../integrations/dingtalk/client';
import { CARD_CALLBACK_TOPIC, DingTalkError, type CreateAndDeliverCardRequest, type DingTalkSettings } from '../../integrations/dingtalk/dingtalk-api';
import { startStreamClient } from '../../integrations/dingtalk/stream-client';
import type { RunningFakeDingTalk } from './fake-dingtalk';
import { APP, startFake, stopFakes, TEMPLATE } from './fake-test-client';

/** The product's own DingTalk client against the fake: both sides of DINGTALK.md must agree. */

afterEach(stopFakes);

function clientFor(fake: RunningFakeDingTalk) {
  const settings: DingTalkSettings = { apiBase: fake.url, oapiBase: fake.url, ...APP, cardTemplateId: TEMPLATE };
  return createDingTalkClient(settings, { sleep: async () => undefined });
}

async function failureOf(promise: Promise<unknown>): Promise<DingTalkError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DingTalkError) return err;
    throw err;
  }
  throw new Error('expected a DingTalkError');
}

describe('the product’s DingTalk client against the fake', () => {
  it('cards, todos, notices, contacts and 免登 work; a revoked token and throttling are ridden out', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const delivered = await client.createAndDeliverCard({
      cardTemplateId: TEMPLATE,
      outTrackId: 'pc-1',
      cardData: { cardParamMap: { title: 't', actionable: 'true' } },
      callbackType: 'STREAM',
      userIdType: 1,
      openSpaceId: 'dtv1.card//IM_ROBOT.dt_one',
      imRobotOpenSpaceModel: { supportForward: false },
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
    });
    expect(delivered.deliverResults).toEqual([expect.objectContaining({ spaceId: 'dt_one', success: true })]);

    fake.state.revokeTokens();
    fake.state.failNext('card.update', 'throttle');
    await client.updateCard({ outTrackId: 'pc-1', cardData: { cardParamMap: { actionable: 'false' } }, cardUpdateOptions: { updateCardDataByKey: true } });
    expect(fake.state.cards.get('pc-1')!.cardData.cardParamMap).toEqual({ title: 't', actionable: 'false' });

    const todo = await client.createTodo('un_one', {
      sourceId: 'pc-1',
      subject: '请审批',
      executorIds: ['un_one'],
      detailUrl: { appUrl: 'http://127.0.0.1/h5', pcUrl: 'http://127.0.0.1/h5' },
    });
    expect(await client.findTodoBySource('un_one', 'pc-1')).toMatchObject({ id: todo.id });
    expect(await client.findTodoBySource('un_one', 'no-such-source')).toBeUndefined();
    await client.completeTodo('un_one', todo.id);
    expect(fake.state.todosOf('un_one')[0]?.done).toBe(true);

    const msg = { msgtype: 'action_card' as const, action_card: { title: 't', markdown: 'm', single_title: 's', single_url: 'http://127.0.0.1/h5' } };
    expect(await client.sendWorkNotification({ userIds: ['dt_one'], msg })).toEqual({ taskId: expect.any(Number) });

    expect((await client.listSubDepartments(1)).map((d) => d.dept_id)).toEqual([2, 3]);
    expect((await client.getDepartment(2)).dept_manager_userid_list).toEqual(['dt_head']);
    expect(await client.listDepartmentUsers(2, 0, 2)).toMatchObject({ has_more: true, next_cursor: 2 });
    expect(await client.getUser('dt_one')).toMatchObject({ manager_userid: 'dt_head' });
    expect(await failureOf(client.getUser('nobody'))).toMatchObject({ kind: 'not_found', code: '60121' });

    const code = fake.state.issueAuthCode('dt_two');
    expect(await client.getUserInfoByAuthCode(code)).toMatchObject({ userid: 'dt_two', unionid: 'un_two' });
    expect(await failureOf(client.getUserInfoByAuthCode(code))).toMatchObject({ kind: 'invalid_auth_code', code: '40078' });

    fake.state.failNext('card.createAndDeliver', 'quota');
    expect(await failureOf(client.createAndDeliverCard(cardTo('pc-2', 'dt_one')))).toMatchObject({ kind: 'quota' });
    expect(await failureOf(client.createAndDeliverCard(cardTo('pc-3', 'dt_ghost')))).toMatchObject({
      kind: 'not_found',
      code: 'param.userIdNotExist',
    });
    fake.state.setDown(true);
    expect(await failureOf(client.getUser('dt_one'))).toMatchObject({ kind: 'server', code: 'http_503' });
  });

  it('the Stream client connects, answers a click with the card to show, and reconnects after a disconnect', async () => {
    const fake = await startFake();
    const client = clientFor(fake);
    const stream = startStreamClient({
      api: client,
      subscriptions: [{ type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC }],
      onCallback: async (_topic, data) => {
        const click = data as { userId: string };
        return { cardData: { cardParamMap: { status: 'approved', actor: click.userId } }, cardUpdateOptions: { updateCardDataByKey: true } };
      },
      backoff: { initialMs: 10, maxMs: 50 },
    });
    try {
      await stream.ready;
      await client.createAndDeliverCard(cardTo('pc-s', 'dt_one'));
      const clicked = await fake.state.click({ outTrackId: 'pc-s', userId: 'dt_one', action: 'approve' });
      expect(clicked).toMatchObject({ transport: 'STREAM', status: 200, answer: { cardData: { cardParamMap: { status: 'approved', actor: 'dt_one' } } } });
      expect(fake.state.cards.get('pc-s')!.cardData.cardParamMap).toMatchObject({ title: 't', status: 'approved' });

      fake.state.sendStreamDisconnect();
      for (let i = 0; i < 100 && fake.state.streamConnectionCount() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(fake.state.streamConnectionCount()).toBe(1);
      fake.state.pingStreamConnections();
      for (let i = 0; i < 100 && fake.state.streamPingStats().answered === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(fake.state.streamPingStats()).toMatchObject({ answered: 1, mismatched: 0 });
    } finally {
      await stream.stop();
    }
  });
});

/** A Stream-mode card to one user's robot space. */
function cardTo(outTrackId: string, userId: string): CreateAndDeliverCardRequest {
  return {
    cardTemplateId: TEMPLATE,
    outTrackId,
    cardData: { cardParamMap: { title: 't' } },
    callbackType: 'STREAM',
    openSpaceId: `dtv1.card//IM_ROBOT.${userId}`,
    imRobotOpenSpaceModel: { supportForward: false },
  };
}
