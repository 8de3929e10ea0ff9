import { WebSocket } from 'ws';
import { CARD_CALLBACK_TOPIC, type CardClickAnswer } from '../../integrations/dingtalk/dingtalk-api';
import type { RunningFakeDingTalk } from './fake-dingtalk';
import { APP, callApi, cardRequest, openStreamTicket, startFake, stopFakes, TestStreamClient } from './fake-test-client';
import type { StreamFrame } from './stream-frames';

const clients: TestStreamClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stopFakes();
});

async function connect(fake: RunningFakeDingTalk, subscriptions?: Parameters<typeof TestStreamClient.connect>[1]): Promise<TestStreamClient> {
  const client = await TestStreamClient.connect(fake, subscriptions);
  clients.push(client);
  await client.nextFrame((f) => f.headers.topic === 'REGISTERED');
  return client;
}

async function streamCard(fake: RunningFakeDingTalk, outTrackId: string): Promise<void> {
  const created = await callApi(
    fake,
    'POST',
    '/v1.0/card/instances/createAndDeliver',
    cardRequest(outTrackId, ['dt_one'], { callbackType: 'STREAM', callbackRouteKey: undefined }),
  );
  expect(created.status).toBe(200);
}

const isCallback = (f: StreamFrame) => f.type === 'CALLBACK';
const APPROVED: CardClickAnswer = {
  cardData: { cardParamMap: { status: 'approved', statusText: '已同意', actionable: 'false' } },
  userPrivateData: { cardParamMap: { notice: '你已同意' } },
  cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
};

/** Rejects when the socket is refused; answers the HTTP status of the refusal. */
function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the socket was accepted'));
    });
    socket.once('error', () => undefined);
  });
}

describe('the Stream gateway', () => {
  it('opens a connection for app credentials: JSON with Accept: application/json, XML otherwise; bad credentials are refused', async () => {
    const fake = await startFake();
    const ticket = await openStreamTicket(fake);
    expect(ticket).toEqual({ endpoint: `ws://127.0.0.1:${fake.port}/connect`, ticket: expect.stringMatching(/^[0-9a-f]{32}$/) });

    const body = { clientId: APP.appKey, clientSecret: APP.appSecret, subscriptions: [{ type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC }] };
    const xml = await callApi(fake, 'POST', '/v1.0/gateway/connections/open', body, { token: null });
    expect(xml.status).toBe(200);
    expect(xml.contentType).toContain('xml');
    expect(xml.text).toMatch(/<endpoint>ws:\/\/.+\/connect<\/endpoint><ticket>[0-9a-f]+<\/ticket>/);

    const bad = await callApi(
      fake,
      'POST',
      '/v1.0/gateway/connections/open',
      { ...body, clientSecret: 'no' },
      { token: null, headers: { accept: 'application/json' } },
    );
    expect(bad).toMatchObject({ status: 400, json: { code: 'invalidClientIdOrSecret' } });
    const noSubscriptions = await callApi(fake, 'POST', '/v1.0/gateway/connections/open', { ...body, subscriptions: [] }, { token: null });
    expect(noSubscriptions).toMatchObject({ status: 400, json: { code: 'param.invalid' } });
    expect(fake.state.callCount('gateway.connections.open')).toBe(4);
  });

  it('a ticket opens one socket, which is greeted with SYSTEM CONNECTED and REGISTERED; a used or made-up ticket is refused', async () => {
    const fake = await startFake();
    const { endpoint, ticket } = await openStreamTicket(fake);
    const url = `${endpoint}?ticket=${ticket}`;
    const socket = new WebSocket(url);
    const frames: StreamFrame[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as StreamFrame));
    await new Promise((resolve) => socket.once('open', resolve));
    try {
      await expect(refusedStatus(url)).resolves.toBe(401);
      await expect(refusedStatus(`${endpoint}?ticket=made-up`)).resolves.toBe(401);
      await expect(refusedStatus(`ws://127.0.0.1:${fake.port}/elsewhere?ticket=${ticket}`)).resolves.toBe(404);
      while (frames.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(frames.map((f) => [f.specVersion, f.type, f.headers.topic])).toEqual([
        ['1.0', 'SYSTEM', 'CONNECTED'],
        ['1.0', 'SYSTEM', 'REGISTERED'],
      ]);
      expect(frames[0]!.headers).toEqual({
        appId: APP.appKey,
        connectionId: expect.any(String),
        contentType: 'application/json',
        messageId: expect.any(String),
        time: expect.stringMatching(/^\d{13}$/),
        topic: 'CONNECTED',
      });
      expect(fake.state.streamConnectionCount()).toBe(1);
    } finally {
      socket.terminate();
    }
  });

  it('a click is a CALLBACK frame; the ack’s {response} is the answer and updates the card', async () => {
    const fake = await startFake();
    const client = await connect(fake);
    await streamCard(fake, 'card-s');

    const clicked = fake.state.click({ outTrackId: 'card-s', userId: 'dt_one', action: 'approve' });
    const frame = await client.nextFrame(isCallback);
    expect(frame).toMatchObject({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: APP.appKey,
        connectionId: expect.any(String),
        contentType: 'application/json',
        messageId: expect.any(String),
        topic: CARD_CALLBACK_TOPIC,
      },
    });
    expect(typeof frame.data).toBe('string');
    expect(JSON.parse(frame.data)).toMatchObject({
      type: 'actionCallback',
      outTrackId: 'card-s',
      corpId: APP.corpId,
      userId: 'dt_one',
      content: JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { action: 'approve' } } }),
    });
    client.ack(frame, JSON.stringify({ response: APPROVED }));

    expect(await clicked).toEqual({ transport: 'STREAM', status: 200, answer: APPROVED });
    expect(fake.state.cards.get('card-s')!.paramsFor('dt_one')).toMatchObject({
      title: '采购申请',
      status: 'approved',
      actionable: 'false',
      notice: '你已同意',
    });
    expect(fake.state.clicks.at(-1)).toMatchObject({ transport: 'STREAM', attempts: 1, messageId: frame.headers.messageId });
  });

  it('an unacked frame is delivered again (same messageId) until acked', async () => {
    const fake = await startFake({ streamRedeliverMs: 150 });
    const client = await connect(fake);
    await streamCard(fake, 'card-r');
    const clicked = fake.state.click({ outTrackId: 'card-r', userId: 'dt_one', action: 'reject' });
    const first = await client.nextFrame(isCallback);
    const count = client.frames.length;
    const second = await client.nextFrame(isCallback, { after: count });
    expect(second.headers.messageId).toBe(first.headers.messageId);
    expect(second.data).toBe(first.data);
    client.ack(second, JSON.stringify({ response: { cardData: { cardParamMap: { status: 'rejected' } }, cardUpdateOptions: { updateCardDataByKey: true } } }));
    expect(await clicked).toMatchObject({ status: 200, answer: { cardData: { cardParamMap: { status: 'rejected' } } } });
    expect(fake.state.clicks.at(-1)?.attempts).toBe(2);
    expect(fake.state.cards.get('card-r')!.cardData.cardParamMap).toMatchObject({ title: '采购申请', status: 'rejected' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(client.frames.filter(isCallback)).toHaveLength(2);
  });

  it('a click with no connection waits for one; redeliverLastClick sends the same frame again', async () => {
    const fake = await startFake();
    await streamCard(fake, 'card-w');
    const clicked = fake.state.click({ outTrackId: 'card-w', userId: 'dt_one', action: 'approve' });
    const client = await connect(fake);
    const frame = await client.nextFrame(isCallback);
    client.ack(frame, JSON.stringify({ response: APPROVED }));
    expect((await clicked).status).toBe(200);

    const again = fake.state.redeliverLastClick();
    const repeated = await client.nextFrame(isCallback, { after: client.frames.indexOf(frame) + 1 });
    expect(repeated.headers.messageId).toBe(frame.headers.messageId);
    client.ack(repeated, JSON.stringify({ response: {} }));
    expect(await again).toEqual({ transport: 'STREAM', status: 200, answer: {} });
  });

  it('a malformed ack is reported, not applied; no ack at all times out', async () => {
    const fake = await startFake();
    const client = await connect(fake);
    await streamCard(fake, 'card-m');
    const clicked = fake.state.click({ outTrackId: 'card-m', userId: 'dt_one', action: 'approve' });
    const frame = await client.nextFrame(isCallback);
    client.ack(frame, JSON.stringify({ response: { cardData: { cardParamMap: { amount: 5 } } } }));
    expect(await clicked).toMatchObject({ status: 200, error: expect.stringContaining('not a card answer') });
    expect(fake.state.cards.get('card-m')!.answerCount).toBe(0);

    expect(await fake.state.click({ outTrackId: 'card-m', userId: 'dt_one', action: 'approve' }, { timeoutMs: 100 })).toMatchObject({
      status: 0,
      error: expect.stringContaining('no ack'),
    });
  });

  it('frames go only to connections of the card’s app that subscribed to the topic', async () => {
    const fake = await startFake();
    const eventsOnly = await connect(fake, [{ type: 'EVENT', topic: '*' }]);
    await streamCard(fake, 'card-t');
    const clicked = fake.state.click({ outTrackId: 'card-t', userId: 'dt_one', action: 'approve' }, { timeoutMs: 150 });
    expect((await clicked).status).toBe(0);
    expect(eventsOnly.frames.filter(isCallback)).toHaveLength(0);
  });

  it('pings every connection and counts the acks that echo the ping’s data', async () => {
    const fake = await startFake({ streamPingMs: 100 });
    const client = await connect(fake);
    const ping = await client.nextFrame((f) => f.type === 'SYSTEM' && f.headers.topic === 'ping');
    expect(JSON.parse(ping.data)).toEqual({ opaque: expect.any(String) });
    client.ack(ping, ping.data);
    const next = await client.nextFrame((f) => f.headers.topic === 'ping' && f.headers.messageId !== ping.headers.messageId);
    client.ack(next, '{"opaque":"wrong"}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.state.streamPingStats()).toMatchObject({ answered: 1, mismatched: 1 });
    expect(fake.state.pingStreamConnections()).toBe(1);
  });

  it('EVENT frames: an ack with status LATER is delivered again, SUCCESS settles it', async () => {
    const fake = await startFake({ streamRedeliverMs: 100 });
    const client = await connect(fake);
    const settled = fake.state.sendStreamEvent({ eventType: 'user_modify_org', data: { userId: ['dt_one'] } });
    const first = await client.nextFrame((f) => f.type === 'EVENT');
    expect(first.headers).toMatchObject({ topic: 'user_modify_org', eventType: 'user_modify_org', eventCorpId: APP.corpId, eventId: expect.any(String) });
    client.ack(first, JSON.stringify({ status: 'LATER' }));
    const second = await client.nextFrame((f) => f.type === 'EVENT', { after: client.frames.indexOf(first) + 1 });
    client.ack(second, JSON.stringify({ status: 'SUCCESS' }));
    expect(await settled).toEqual({ status: 'SUCCESS', attempts: 2 });
  });

  it('sendStreamDisconnect tells each connection to go; dropStreamConnections and setDown cut the sockets', async () => {
    const fake = await startFake();
    const told = await connect(fake);
    expect(fake.state.sendStreamDisconnect()).toBe(1);
    const disconnect = await told.nextFrame((f) => f.headers.topic === 'disconnect');
    expect(disconnect.type).toBe('SYSTEM');
    expect(JSON.parse(disconnect.data)).toEqual({ reason: 'persistent connection is timeout' });
    expect(fake.state.streamConnectionCount()).toBe(0);

    const dropped = await connect(fake);
    expect(fake.state.streamConnectionCount()).toBe(1);
    fake.state.dropStreamConnections();
    expect(await dropped.closed()).toBe(1006);
    expect(fake.state.streamConnectionCount()).toBe(0);

    const downed = await connect(fake);
    const { endpoint, ticket } = await openStreamTicket(fake);
    fake.state.setDown(true);
    await downed.closed();
    await expect(refusedStatus(`${endpoint}?ticket=${ticket}`)).resolves.toBe(503);
    fake.state.setDown(false);
  });
});
