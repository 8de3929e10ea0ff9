import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CardClickAnswer } from '../../integrations/dingtalk/dingtalk-api';
import { callApi, cardRequest, OTHER_APP, startFake, stopFakes, TEMPLATE, tokenOf } from './fake-test-client';
import type { RunningFakeDingTalk } from './fake-dingtalk';

afterEach(stopFakes);

const create = (fake: RunningFakeDingTalk, body: unknown, token?: string) =>
  callApi(fake, 'POST', '/v1.0/card/instances/createAndDeliver', body, token === undefined ? {} : { token });
const update = (fake: RunningFakeDingTalk, body: unknown) => callApi(fake, 'PUT', '/v1.0/card/instances', body);
const register = (fake: RunningFakeDingTalk, body: unknown) => callApi(fake, 'POST', '/v1.0/card/callbacks/register', body);

describe('createAndDeliver', () => {
  it('delivers to each IM_ROBOT target and holds the card with what was sent', async () => {
    const fake = await startFake();
    const answer = await create(
      fake,
      cardRequest('card-1', ['dt_one', 'dt_two'], {
        openSpaceId: 'dtv1.card//im_robot.dt_one;IM_ROBOT.dt_two',
        privateData: { dt_one: { cardParamMap: { notice: '请尽快处理' } } },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      success: true,
      result: {
        outTrackId: 'card-1',
        deliverResults: [
          { spaceType: 'IM_ROBOT', spaceId: 'dt_one', success: true, carrierId: expect.any(String) },
          { spaceType: 'IM_ROBOT', spaceId: 'dt_two', success: true, carrierId: expect.any(String) },
        ],
      },
    });
    const card = fake.state.cards.get('card-1')!;
    expect(card).toMatchObject({
      templateId: TEMPLATE,
      userIds: ['dt_one', 'dt_two'],
      callbackType: 'HTTP',
      callbackRouteKey: 'approval-test',
      updateCount: 0,
    });
    expect(card.paramsFor('dt_one')).toMatchObject({ title: '采购申请', notice: '请尽快处理' });
    expect(card.paramsFor('dt_two').notice).toBeUndefined();
    expect(fake.state.cardsOf('dt_two').map((c) => c.outTrackId)).toEqual(['card-1']);
  });

  it('an unknown target fails alone; all targets unknown is 400 param.userIdNotExist and no card', async () => {
    const fake = await startFake();
    const partly = await create(fake, cardRequest('card-2', ['dt_one', 'dt_ghost']));
    expect(partly.status).toBe(200);
    expect((partly.json?.result as { deliverResults: unknown[] }).deliverResults).toEqual([
      expect.objectContaining({ spaceId: 'dt_one', success: true }),
      expect.objectContaining({ spaceId: 'dt_ghost', success: false, errorMsg: expect.stringContaining('dt_ghost') }),
    ]);
    expect(fake.state.cards.get('card-2')?.userIds).toEqual(['dt_one']);

    const none = await create(fake, cardRequest('card-3', ['dt_ghost']));
    expect(none).toMatchObject({ status: 400, json: { code: 'param.userIdNotExist', requestid: expect.any(String) } });
    expect(fake.state.cards.has('card-3')).toBe(false);

    const byUnionId = await create(fake, cardRequest('card-4', ['un_one'], { userIdType: 2 }));
    expect(byUnionId.status).toBe(200);
    expect(fake.state.cardsOf('dt_one').map((c) => c.outTrackId)).toEqual(['card-2', 'card-4']);
  });

  it.each([
    ['no template id', { cardTemplateId: undefined }, 'param.cardTemplateIdEmpty'],
    ['an unknown template', { cardTemplateId: 'nope.schema' }, 'param.templateNotExist'],
    ['no outTrackId', { outTrackId: '' }, 'param.outTrackIdEmpty'],
    ['no cardData', { cardData: undefined }, 'param.cardPublicDataEmpty'],
    ['a non-string card param', { cardData: { cardParamMap: { amount: 100 } } }, 'param.invalid'],
    ['the prefix repeated', { openSpaceId: 'dtv1.card//IM_ROBOT.dt_one;dtv1.card//IM_ROBOT.dt_two' }, 'param.openSpaceIdInvalid'],
    ['no prefix', { openSpaceId: 'IM_ROBOT.dt_one' }, 'param.openSpaceIdInvalid'],
    ['an unknown space type', { openSpaceId: 'dtv1.card//IM_CHAT.dt_one' }, 'param.openSpaceIdInvalid'],
    ['a space model without supportForward', { imRobotOpenSpaceModel: { lastMessageI18n: { ZH_CN: 'x' } } }, 'param.invalid'],
    ['HTTP callbacks without a route key', { callbackRouteKey: undefined }, 'param.invalid'],
  ])('refuses %s with 400 %s', async (_what, overrides, code) => {
    const fake = await startFake();
    const answer = await create(fake, cardRequest('card-x', ['dt_one'], overrides));
    expect(answer).toMatchObject({ status: 400, json: { code, message: expect.any(String) } });
    expect(fake.state.calls.at(-1)).toMatchObject({ api: 'card.createAndDeliver', status: 400, errorCode: code });
  });

  it('refuses a second card with the same outTrackId: 400 param.cardAlreadyExist', async () => {
    const fake = await startFake();
    expect((await create(fake, cardRequest('card-5', ['dt_one']))).status).toBe(200);
    expect(await create(fake, cardRequest('card-5', ['dt_two']))).toMatchObject({ status: 400, json: { code: 'param.cardAlreadyExist' } });
    expect(fake.state.cards.get('card-5')?.userIds).toEqual(['dt_one']);
  });
});

describe('update', () => {
  it('replaces by default, merges by key when the options say so, public and private alike', async () => {
    const fake = await startFake();
    await create(fake, cardRequest('card-u', ['dt_one'], { privateData: { dt_one: { cardParamMap: { notice: 'a', mine: 'x' } } } }));
    expect(await update(fake, { outTrackId: 'card-u', cardData: { cardParamMap: { status: 'approved' } } })).toMatchObject({
      status: 200,
      json: { success: true, result: true },
    });
    const card = fake.state.cards.get('card-u')!;
    expect(card.cardData.cardParamMap).toEqual({ status: 'approved' });

    await update(fake, {
      outTrackId: 'card-u',
      cardData: { cardParamMap: { statusText: '已同意', actionable: 'false' } },
      privateData: { dt_one: { cardParamMap: { notice: 'b' } } },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    });
    expect(card.cardData.cardParamMap).toEqual({ status: 'approved', statusText: '已同意', actionable: 'false' });
    expect(card.privateData.dt_one?.cardParamMap).toEqual({ notice: 'b', mine: 'x' });

    await update(fake, { outTrackId: 'card-u', privateData: { dt_one: { cardParamMap: { notice: 'c' } } } });
    expect(card.privateData.dt_one?.cardParamMap).toEqual({ notice: 'c' });
    expect(fake.state.paramsFor(card, 'dt_one')).toEqual({ status: 'approved', statusText: '已同意', actionable: 'false', notice: 'c' });
    expect(card.updateCount).toBe(3);
  });

  it('400 param.cardNotExist for an unknown card (or another app’s), param.cardDataAndPrivateDataBothEmpty for nothing to change', async () => {
    const fake = await startFake();
    await create(fake, cardRequest('card-v', ['dt_one']));
    expect(await update(fake, { outTrackId: 'nope', cardData: { cardParamMap: {} } })).toMatchObject({ status: 400, json: { code: 'param.cardNotExist' } });
    const otherToken = await tokenOf(fake, OTHER_APP);
    const byOther = await callApi(fake, 'PUT', '/v1.0/card/instances', { outTrackId: 'card-v', cardData: { cardParamMap: {} } }, { token: otherToken });
    expect(byOther.json?.code).toBe('param.cardNotExist');
    expect(await update(fake, { outTrackId: 'card-v' })).toMatchObject({ status: 400, json: { code: 'param.cardDataAndPrivateDataBothEmpty' } });
    expect(await update(fake, { cardData: { cardParamMap: {} } })).toMatchObject({ status: 400, json: { code: 'param.outTrackIdEmpty' } });
  });
});

describe('callback registration', () => {
  it('registers a route key; again without forceUpdate is 500 param.callbackRouteKeyExist, with it the URL is replaced', async () => {
    const fake = await startFake();
    const first = await register(fake, { callbackRouteKey: 'rk', callbackUrl: 'http://127.0.0.1:1/a', apiSecret: 's3cret' });
    expect(first).toMatchObject({ status: 200, json: { success: true, result: { callbackUrl: 'http://127.0.0.1:1/a', apiSecret: 's3cret' } } });
    expect(await register(fake, { callbackRouteKey: 'rk', callbackUrl: 'http://127.0.0.1:1/b' })).toMatchObject({
      status: 500,
      json: { code: 'param.callbackRouteKeyExist' },
    });
    expect((await register(fake, { callbackRouteKey: 'rk', callbackUrl: 'http://127.0.0.1:1/b', forceUpdate: true })).status).toBe(200);
    expect(fake.state.callbackFor('ding-test-app', 'rk')?.callbackUrl).toBe('http://127.0.0.1:1/b');
    expect(await register(fake, { callbackRouteKey: 'rk2', callbackUrl: 'not a url' })).toMatchObject({ status: 400, json: { code: 'param.invalid' } });
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A stand-in for our callback endpoint: records each click and answers `answer(click)`. */
async function startReceiver(
  answer: (click: Record<string, unknown>) => CardClickAnswer | undefined,
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      received.push({ headers: request.headers, body });
      const reply = answer(body);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(reply === undefined ? '' : JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/v1/dingtalk/callback`, received, close: () => new Promise((done) => server.close(() => done())) };
}

describe('an HTTP-mode click', () => {
  it('is posted signed to the registered URL with the documented payload, and the answer updates the card', async () => {
    const fake = await startFake();
    const receiver = await startReceiver((click) => ({
      cardData: { cardParamMap: { status: 'approved', statusText: '已同意', actionable: 'false' } },
      userPrivateData: { cardParamMap: { notice: `${String(click.userId)} 已处理` } },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    }));
    try {
      await register(fake, { callbackRouteKey: 'approval-test', callbackUrl: receiver.url, apiSecret: 'callback-secret', forceUpdate: true });
      await create(fake, cardRequest('card-h', ['dt_one']));

      const result = await fake.state.click({ outTrackId: 'card-h', userId: 'dt_one', action: 'approve' });
      expect(result).toEqual({ transport: 'HTTP', status: 200, answer: expect.objectContaining({ cardData: expect.any(Object) }) });

      const [{ headers, body }] = receiver.received as [Received];
      const timestamp = headers['x-ddpaas-signature-timestamp'] as string;
      expect(timestamp).toMatch(/^\d{13}$/);
      expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(5_000);
      expect(headers['x-ddpaas-signature']).toBe(createHmac('sha256', 'callback-secret').update(timestamp).digest('base64'));
      expect(headers['content-type']).toContain('application/json');
      const content = JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { action: 'approve' } } });
      expect(body).toMatchObject({
        type: 'actionCallback',
        outTrackId: 'card-h',
        corpId: 'ding-test-corp',
        userId: 'dt_one',
        content,
        value: content,
        spaceType: 'IM_ROBOT',
      });

      const card = fake.state.cards.get('card-h')!;
      expect(card.paramsFor('dt_one')).toMatchObject({ title: '采购申请', status: 'approved', actionable: 'false', notice: 'dt_one 已处理' });
      expect(card.answerCount).toBe(1);
      expect(fake.state.clicks.at(-1)).toMatchObject({
        outTrackId: 'card-h',
        userId: 'dt_one',
        action: 'approve',
        transport: 'HTTP',
        status: 200,
        late: false,
      });
    } finally {
      await receiver.close();
    }
  });

  it('carries no signature without an apiSecret; times: 2 and redeliverLastClick deliver the click again', async () => {
    const fake = await startFake();
    const receiver = await startReceiver(() => undefined);
    try {
      await register(fake, { callbackRouteKey: 'approval-test', callbackUrl: receiver.url });
      await create(fake, cardRequest('card-r', ['un_two'], { userIdType: 2 }));
      const result = await fake.state.click({ outTrackId: 'card-r', userId: 'dt_two', action: 'reject' }, { times: 2 });
      expect(result).toEqual({ transport: 'HTTP', status: 200 });
      await fake.state.redeliverLastClick();
      expect(receiver.received).toHaveLength(3);
      expect(receiver.received[0]!.headers['x-ddpaas-signature']).toBeUndefined();
      expect(receiver.received.map((r) => r.body.userId)).toEqual(['un_two', 'un_two', 'un_two']);
      expect(receiver.received[0]!.body.userIdType).toBe(2);
      expect(fake.state.clicks.map((c) => c.redelivery)).toEqual([false, false, true]);
    } finally {
      await receiver.close();
    }
  });

  it('says why nothing was applied when no URL is registered or the receiver is gone', async () => {
    const fake = await startFake();
    await create(fake, cardRequest('card-n', ['dt_one']));
    expect(await fake.state.click({ outTrackId: 'card-n', userId: 'dt_one', action: 'approve' })).toMatchObject({
      status: 0,
      error: expect.stringContaining('approval-test'),
    });
    await register(fake, { callbackRouteKey: 'approval-test', callbackUrl: 'http://127.0.0.1:1/nothing-here' });
    expect(await fake.state.click({ outTrackId: 'card-n', userId: 'dt_one', action: 'approve' })).toMatchObject({
      status: 0,
      error: expect.stringContaining('not reached'),
    });
    await expect(fake.state.click({ outTrackId: 'no-card', userId: 'dt_one', action: 'approve' })).rejects.toThrow('no card');
  });
});
