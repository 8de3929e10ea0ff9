import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CARD_CALLBACK_TOPIC, type StreamSubscription } from './dingtalk-api';
import { startStreamClient, type StreamClient } from './stream-client';

/** One socket the client opened to the gateway, with what it sent. */
interface Connection {
  ticket: string | null;
  socket: WebSocket;
  sent: Array<Record<string, unknown>>;
  closed: boolean;
}

let gateway: WebSocketServer;
let endpoint: string;
let connections: Connection[] = [];
let tickets = 0;
let client: StreamClient | undefined;
let logs: Array<Record<string, unknown>> = [];

const subscriptions: StreamSubscription[] = [{ type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC }];
const api = {
  openStreamConnection: async (asked: StreamSubscription[]) => {
    expect(asked).toEqual(subscriptions);
    tickets++;
    return { endpoint, ticket: `ticket ${tickets}/+` };
  },
};

beforeAll(async () => {
  gateway = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => gateway.once('listening', () => resolve()));
  endpoint = `ws://127.0.0.1:${(gateway.address() as AddressInfo).port}/connect`;
  gateway.on('connection', (socket, request) => {
    const connection: Connection = { ticket: new URL(request.url ?? '/', 'ws://local').searchParams.get('ticket'), socket, sent: [], closed: false };
    socket.on('message', (raw: Buffer) => connection.sent.push(JSON.parse(raw.toString('utf8')) as Record<string, unknown>));
    socket.on('close', () => (connection.closed = true));
    connections.push(connection);
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
});

beforeEach(() => {
  connections = [];
  tickets = 0;
  logs = [];
});

afterEach(async () => {
  await client?.stop();
  client = undefined;
  for (const connection of connections) connection.socket.terminate();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start(options: Partial<Parameters<typeof startStreamClient>[0]> = {}): StreamClient {
  client = startStreamClient({
    api,
    subscriptions,
    onCallback: async () => ({}),
    log: (line) => logs.push(line),
    backoff: { initialMs: 1, maxMs: 5 },
    ...options,
  });
  return client;
}

async function firstConnection(): Promise<Connection> {
  await client?.ready;
  await until(() => connections.length === 1, 'the first connection');
  return connections[0]!;
}

function frame(type: 'SYSTEM' | 'EVENT' | 'CALLBACK', messageId: string, topic: string, data: unknown): string {
  return JSON.stringify({
    specVersion: '1.0',
    type,
    headers: { appId: 'app', connectionId: 'c', contentType: 'application/json', messageId, time: '1700000000000', topic },
    data: typeof data === 'string' ? data : JSON.stringify(data),
  });
}

describe('startStreamClient', () => {
  it('connects with the URL-encoded ticket and says so', async () => {
    const stream = start();
    const connection = await firstConnection();
    expect(connection.ticket).toBe('ticket 1/+');
    expect(stream.connected()).toBe(true);
  });

  it('acks a callback with the answer wrapped as {response}', async () => {
    const seen: Array<[string, unknown, unknown]> = [];
    start({
      onCallback: async (topic, data, headers) => {
        seen.push([topic, data, headers.messageId]);
        return { cardData: { cardParamMap: { status: 'approved' } } };
      },
    });
    const connection = await firstConnection();
    const click = { type: 'actionCallback', outTrackId: 'apv_1', userId: 'u1', content: '{"cardPrivateData":{"actionIds":["approve"]}}' };
    connection.socket.send(frame('CALLBACK', 'm-1', CARD_CALLBACK_TOPIC, click));
    await until(() => connection.sent.length === 1, 'the ack');
    expect(seen).toEqual([[CARD_CALLBACK_TOPIC, click, 'm-1']]);
    expect(connection.sent[0]).toEqual({
      code: 200,
      headers: { messageId: 'm-1', contentType: 'application/json' },
      message: 'OK',
      data: JSON.stringify({ response: { cardData: { cardParamMap: { status: 'approved' } } } }),
    });
  });

  it('answers a ping with its own data', async () => {
    start();
    const connection = await firstConnection();
    connection.socket.send(frame('SYSTEM', 'p-1', 'ping', { opaque: 'abc' }));
    await until(() => connection.sent.length === 1, 'the pong');
    expect(connection.sent[0]).toMatchObject({ code: 200, headers: { messageId: 'p-1' }, message: 'OK', data: JSON.stringify({ opaque: 'abc' }) });
  });

  it('acks the other SYSTEM frames too (DINGTALK.md: every frame is acked)', async () => {
    start();
    const connection = await firstConnection();
    connection.socket.send(frame('SYSTEM', 's-1', 'CONNECTED', {}));
    connection.socket.send(frame('SYSTEM', 's-2', 'KEEPALIVE', {}));
    await until(() => connection.sent.length === 2, 'both acks');
    expect(connection.sent.map((ack) => (ack.headers as { messageId: string }).messageId)).toEqual(['s-1', 's-2']);
  });

  it('shrugs off frames that are not JSON objects', async () => {
    start();
    const connection = await firstConnection();
    for (const junk of ['not json', 'null', '42']) connection.socket.send(junk);
    connection.socket.send(frame('SYSTEM', 'p-1', 'ping', {}));
    await until(() => connection.sent.length === 1, 'the pong after the junk');
    expect(logs.filter((line) => String(line.msg).includes('not'))).toHaveLength(3);
  });

  it('acks events with the handler’s status, SUCCESS without one', async () => {
    start({ onEvent: async () => 'LATER' });
    const connection = await firstConnection();
    connection.socket.send(frame('EVENT', 'e-1', 'user_add_org', { userId: ['u1'] }));
    await until(() => connection.sent.length === 1, 'the event ack');
    expect(connection.sent[0]).toMatchObject({ headers: { messageId: 'e-1' }, data: JSON.stringify({ status: 'LATER' }) });
    await client?.stop();

    connections = [];
    start();
    const second = await firstConnection();
    second.socket.send(frame('EVENT', 'e-2', 'user_add_org', {}));
    await until(() => second.sent.length === 1, 'the default ack');
    expect(second.sent[0]).toMatchObject({ headers: { messageId: 'e-2' }, data: JSON.stringify({ status: 'SUCCESS' }) });
  });

  it('does not ack a callback whose handler throws, and logs why without the ticket', async () => {
    start({
      onCallback: async (_topic, data) => {
        if ((data as { n: number }).n === 1) throw new Error('database down');
        return { ok: true };
      },
    });
    const connection = await firstConnection();
    connection.socket.send(frame('CALLBACK', 'm-1', CARD_CALLBACK_TOPIC, { n: 1 }));
    connection.socket.send(frame('CALLBACK', 'm-2', CARD_CALLBACK_TOPIC, { n: 2 }));
    await until(() => connection.sent.length === 1, 'the second ack');
    await pause(20);
    expect(connection.sent.map((ack) => (ack.headers as { messageId: string }).messageId)).toEqual(['m-2']);
    expect(logs.some((line) => JSON.stringify(line).includes('database down'))).toBe(true);
    for (const line of logs) expect(JSON.stringify(line)).not.toContain('ticket 1');
  });

  it('reconnects with a new ticket after the gateway closes the socket', async () => {
    const stream = start();
    const first = await firstConnection();
    first.socket.close();
    await until(() => connections.length === 2 && stream.connected(), 'the second connection');
    expect(connections[1]?.ticket).toBe('ticket 2/+');
    connections[1]!.socket.send(frame('SYSTEM', 'p-2', 'ping', {}));
    await until(() => connections[1]!.sent.length === 1, 'a pong on the new connection');
  });

  it('keeps trying when the gateway cannot be reached, until it can', async () => {
    let refusals = 2;
    const stream = start({
      api: {
        openStreamConnection: async (asked) => {
          if (refusals-- > 0) throw new Error('gateway down');
          return api.openStreamConnection(asked);
        },
      },
    });
    await stream.ready;
    expect(stream.connected()).toBe(true);
    expect(logs.filter((line) => JSON.stringify(line).includes('gateway down'))).toHaveLength(2);
  });

  it('on disconnect opens a new connection and closes the old, leaving exactly one', async () => {
    const stream = start();
    const first = await firstConnection();
    first.socket.send(frame('SYSTEM', 'd-1', 'disconnect', { reason: 'persistent connection is timeout' }));
    await until(() => connections.length === 2 && first.closed, 'the replacement');
    await pause(50);
    expect(tickets).toBe(2);
    expect(connections.map((c) => c.closed)).toEqual([true, false]);
    expect(stream.connected()).toBe(true);
  });

  it('stops for good', async () => {
    const stream = start();
    const first = await firstConnection();
    await stream.stop();
    await until(() => first.closed, 'the close');
    await pause(30);
    expect(connections).toHaveLength(1);
    expect(stream.connected()).toBe(false);
  });
});
