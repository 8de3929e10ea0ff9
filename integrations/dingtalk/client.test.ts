import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDingTalkClient, type DingTalkClientOptions } from './client';
import { DingTalkError, type DingTalkSettings } from './dingtalk-api';

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

interface Reply {
  status?: number;
  json?: unknown;
  /** Sent as is instead of `json`. */
  text?: string;
  delayMs?: number;
  /** Never answers (a timeout). */
  hang?: boolean;
}

type Route = (request: Received, nth: number) => Reply;

const APP_SECRET = 'app-secret-Zq9!';
let server: Server;
let origin: string;
let received: Received[] = [];
let routes = new Map<string, Route>();
let tokensIssued = 0;

/** Tokens carry characters a query string must encode. */
const tokenNo = (n: number) => `tok+/=${n}`;

function route(key: string, reply: Route | Reply): void {
  routes.set(key, typeof reply === 'function' ? reply : () => reply);
}

function calls(key: string): Received[] {
  return received.filter((r) => `${r.method} ${r.path}` === key);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      received.push(request);
      const key = `${request.method} ${request.path}`;
      const handler = routes.get(key);
      const reply: Reply = handler ? handler(request, calls(key).length) : { status: 404, json: { code: 'test.noRoute', message: key } };
      if (reply.hang) return;
      const send = () =>
        res
          .writeHead(reply.status ?? 200, { 'Content-Type': reply.text !== undefined ? 'text/html' : 'application/json' })
          .end(reply.text ?? JSON.stringify(reply.json ?? {}));
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  routes = new Map();
  tokensIssued = 0;
  route('POST /api/v1.0/oauth2/accessToken', () => ({ json: { accessToken: tokenNo(++tokensIssued), expireIn: 7200 } }));
});

function settings(): DingTalkSettings {
  return {
    apiBase: `${origin}/api/`,
    oapiBase: `${origin}/oapi`,
    appKey: 'ding-app',
    appSecret: APP_SECRET,
    agentId: 4242,
    corpId: 'ding-corp',
    cardTemplateId: 'tpl',
  };
}

/** A client whose sleeps are recorded, not slept, on a clock the test moves. */
function testClient(options: DingTalkClientOptions = {}) {
  const sleeps: number[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const clock = { now: 1_000_000 };
  const client = createDingTalkClient(settings(), {
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    log: (line) => logs.push(line),
    ...options,
  });
  return { client, sleeps, logs, clock };
}

async function failureOf(promise: Promise<unknown>): Promise<DingTalkError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(outcome instanceof DingTalkError)) throw new Error(`expected a DingTalkError, got ${String(outcome)}`);
  return outcome;
}

const USER = { userid: 'u1', unionid: 'union1', name: '张三' };
const card = {
  cardTemplateId: 'tpl',
  outTrackId: 'apv_1',
  cardData: { cardParamMap: { title: 't' } },
  callbackType: 'STREAM' as const,
  openSpaceId: 'dtv1.card//IM_ROBOT.u1',
};

describe('requests as DINGTALK.md has them', () => {
  it('asks for a token with the app credentials and sends it as a header on the api host', async () => {
    route('POST /api/v1.0/card/instances/createAndDeliver', {
      json: { success: true, result: { outTrackId: 'apv_1', deliverResults: [{ spaceType: 'IM_ROBOT', spaceId: 'u1', success: true }] } },
    });
    const { client } = testClient();
    const answer = await client.createAndDeliverCard(card);
    expect(answer).toEqual({ outTrackId: 'apv_1', deliverResults: [{ spaceType: 'IM_ROBOT', spaceId: 'u1', success: true }] });
    const [tokenRequest, cardRequest] = received;
    expect(tokenRequest?.body).toEqual({ appKey: 'ding-app', appSecret: APP_SECRET });
    expect(cardRequest?.headers['x-acs-dingtalk-access-token']).toBe(tokenNo(1));
    expect(cardRequest?.headers['content-type']).toBe('application/json');
    expect(cardRequest?.query.get('access_token')).toBeNull();
    expect(cardRequest?.body).toEqual(card);
  });

  it('sends the same token URL-encoded as access_token on the oapi host, POSTing JSON', async () => {
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 0, errmsg: 'ok', result: USER } });
    const { client } = testClient();
    expect(await client.getUser('u1')).toEqual(USER);
    const request = calls('POST /oapi/topapi/v2/user/get')[0];
    expect(request?.query.get('access_token')).toBe(tokenNo(1));
    expect(request?.headers['x-acs-dingtalk-access-token']).toBeUndefined();
    expect(request?.body).toEqual({ userid: 'u1' });
  });

  it('speaks the todo paths with unionIds, and completes with {done: true}', async () => {
    route('POST /api/v1.0/todo/users/union%201/tasks', { json: { id: 'todo-1', subject: 's', done: false } });
    route('PUT /api/v1.0/todo/users/union%201/tasks/todo-1', { json: { result: true } });
    const { client } = testClient();
    const todo = { sourceId: 'apv_1', subject: 's', executorIds: ['union 1'], detailUrl: { appUrl: 'https://h5', pcUrl: 'https://h5' } };
    expect(await client.createTodo('union 1', todo)).toMatchObject({ id: 'todo-1' });
    await client.completeTodo('union 1', 'todo-1');
    const [, created, completed] = received;
    expect(created?.query.get('operatorId')).toBe('union 1');
    expect(created?.body).toEqual(todo);
    expect(completed?.query.get('operatorId')).toBe('union 1');
    expect(completed?.body).toEqual({ done: true });
  });

  it('finds a todo by our sourceId, and answers undefined when DingTalk knows none', async () => {
    route('GET /api/v1.0/todo/users/union1/tasks/sources/apv_1', { json: { id: 'todo-1', subject: 's', sourceId: 'apv_1', done: false } });
    route('GET /api/v1.0/todo/users/union1/tasks/sources/apv_2', { status: 400, json: { code: 'todo.taskQuery.paramError', message: 'task not exist' } });
    route('GET /api/v1.0/todo/users/union1/tasks/sources/apv_3', { status: 404, json: { code: 'notFound', message: 'no such task' } });
    const { client } = testClient();
    expect(await client.findTodoBySource('union1', 'apv_1')).toMatchObject({ id: 'todo-1' });
    expect(await client.findTodoBySource('union1', 'apv_2')).toBeUndefined();
    expect(await client.findTodoBySource('union1', 'apv_3')).toBeUndefined();
  });

  it('updates and registers cards', async () => {
    route('PUT /api/v1.0/card/instances', { json: { success: true, result: true } });
    route('POST /api/v1.0/card/callbacks/register', { json: { success: true, result: { callbackUrl: 'https://us/cb', apiSecret: 'cb-secret' } } });
    const { client } = testClient();
    await client.updateCard({ outTrackId: 'apv_1', cardData: { cardParamMap: { status: 'done' } }, cardUpdateOptions: { updateCardDataByKey: true } });
    expect(await client.registerCardCallback({ callbackRouteKey: 'rk', callbackUrl: 'https://us/cb', apiSecret: 'cb-secret', forceUpdate: true })).toEqual({
      callbackUrl: 'https://us/cb',
      apiSecret: 'cb-secret',
    });
    expect(calls('PUT /api/v1.0/card/instances')[0]?.body).toMatchObject({ outTrackId: 'apv_1', cardUpdateOptions: { updateCardDataByKey: true } });
  });

  it('sends work notifications with agent_id and a comma-separated userid_list', async () => {
    route('POST /oapi/topapi/message/corpconversation/asyncsend_v2', { json: { errcode: 0, task_id: 77, request_id: 'r' } });
    const { client } = testClient();
    const msg = { msgtype: 'action_card' as const, action_card: { title: 't', markdown: 'm', single_title: '查看', single_url: 'https://h5' } };
    expect(await client.sendWorkNotification({ userIds: ['u1', 'u2'], msg })).toEqual({ taskId: 77 });
    expect(calls('POST /oapi/topapi/message/corpconversation/asyncsend_v2')[0]?.body).toEqual({ agent_id: 4242, userid_list: 'u1,u2', msg });
  });

  it('refuses more than 100 recipients or a msg over 2048 bytes before calling DingTalk', async () => {
    const { client } = testClient();
    const msg = { msgtype: 'action_card' as const, action_card: { title: 't', markdown: 'm', single_title: '查看', single_url: 'https://h5' } };
    const tooMany = await failureOf(client.sendWorkNotification({ userIds: Array.from({ length: 101 }, (_, i) => `u${i}`), msg }));
    const tooLong = await failureOf(
      client.sendWorkNotification({ userIds: ['u1'], msg: { ...msg, action_card: { ...msg.action_card, markdown: '审'.repeat(700) } } }),
    );
    expect([tooMany.kind, tooMany.code, tooLong.kind, tooLong.code]).toEqual(['parameter', 'client.tooManyRecipients', 'parameter', 'client.messageTooLong']);
    expect(received).toHaveLength(0);
  });

  it('walks the org and logs in with an auth code through oapi results', async () => {
    route('POST /oapi/topapi/v2/department/listsub', { json: { errcode: 0, result: [{ dept_id: 2, name: 'R&D', parent_id: 1 }] } });
    route('POST /oapi/topapi/v2/department/get', { json: { errcode: 0, result: { dept_id: 2, name: 'R&D', dept_manager_userid_list: ['u1'] } } });
    route('POST /oapi/topapi/v2/user/list', { json: { errcode: 0, result: { has_more: false, list: [USER] } } });
    route('POST /oapi/topapi/v2/user/getuserinfo', { json: { errcode: 0, result: { userid: 'u1', unionid: 'union1' } } });
    const { client } = testClient();
    expect(await client.listSubDepartments(1)).toEqual([{ dept_id: 2, name: 'R&D', parent_id: 1 }]);
    expect(await client.getDepartment(2)).toMatchObject({ dept_manager_userid_list: ['u1'] });
    expect(await client.listDepartmentUsers(2, 0, 100)).toEqual({ has_more: false, list: [USER] });
    expect(await client.getUserInfoByAuthCode('code-1')).toEqual({ userid: 'u1', unionid: 'union1' });
    expect(calls('POST /oapi/topapi/v2/user/list')[0]?.body).toEqual({ dept_id: 2, cursor: 0, size: 100 });
    expect(calls('POST /oapi/topapi/v2/user/getuserinfo')[0]?.body).toEqual({ code: 'code-1' });
  });

  it('opens a Stream connection with the app credentials, asking for JSON and sending no token', async () => {
    route('POST /api/v1.0/gateway/connections/open', { json: { endpoint: 'wss://stream/connect', ticket: 't-1' } });
    const { client } = testClient();
    const subscriptions = [{ type: 'CALLBACK' as const, topic: '/v1.0/card/instances/callback' }];
    expect(await client.openStreamConnection(subscriptions)).toEqual({ endpoint: 'wss://stream/connect', ticket: 't-1' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers['x-acs-dingtalk-access-token']).toBeUndefined();
    expect(request?.body).toEqual({ clientId: 'ding-app', clientSecret: APP_SECRET, subscriptions, ua: 'approval-orchestrator' });
  });

  it('takes param.cardAlreadyExist on createAndDeliver for a card created by an earlier attempt', async () => {
    route('POST /api/v1.0/card/instances/createAndDeliver', { status: 400, json: { code: 'param.cardAlreadyExist', message: 'card already exist' } });
    const { client } = testClient();
    expect(await client.createAndDeliverCard(card)).toEqual({ outTrackId: 'apv_1', deliverResults: [] });
  });
});

describe('the access token', () => {
  it('is fetched once for ten concurrent calls', async () => {
    route('POST /api/v1.0/oauth2/accessToken', () => ({ json: { accessToken: tokenNo(++tokensIssued), expireIn: 7200 }, delayMs: 30 }));
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 0, result: USER } });
    const { client } = testClient();
    await Promise.all(Array.from({ length: 10 }, () => client.getUser('u1')));
    expect(calls('POST /api/v1.0/oauth2/accessToken')).toHaveLength(1);
    expect(new Set(calls('POST /oapi/topapi/v2/user/get').map((r) => r.query.get('access_token')))).toEqual(new Set([tokenNo(1)]));
  });

  it('is replaced ten minutes before it expires, and on invalidateToken()', async () => {
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 0, result: USER } });
    const { client, clock } = testClient();
    await client.getUser('u1');
    clock.now += 7200_000 - 600_000 - 1;
    await client.getUser('u1');
    expect(tokensIssued).toBe(1);
    clock.now += 1;
    await client.getUser('u1');
    expect(tokensIssued).toBe(2);
    client.invalidateToken();
    await client.getUser('u1');
    expect(calls('POST /oapi/topapi/v2/user/get').map((r) => r.query.get('access_token'))).toEqual([tokenNo(1), tokenNo(1), tokenNo(2), tokenNo(3)]);
  });

  it.each([
    [
      'oapi errcode 88 / sub_code 40014',
      'POST /oapi/topapi/v2/user/get',
      { status: 200, json: { errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token' } },
    ],
    ['oapi errcode 42001', 'POST /oapi/topapi/v2/user/get', { status: 200, json: { errcode: 42001, errmsg: 'access_token超时' } }],
    [
      'api 400 InvalidAuthentication',
      'POST /api/v1.0/card/instances/createAndDeliver',
      { status: 400, json: { code: 'InvalidAuthentication', message: 'bad' } },
    ],
    [
      'api 401 InvalidAuthentication',
      'POST /api/v1.0/card/instances/createAndDeliver',
      { status: 401, json: { code: 'InvalidAuthentication', message: 'bad' } },
    ],
  ])('refused (%s): a new token and one retry', async (_name, key, refusal) => {
    const success = key.includes('oapi')
      ? { json: { errcode: 0, result: USER } }
      : { json: { success: true, result: { outTrackId: 'apv_1', deliverResults: [] } } };
    route(key, (_r, nth) => (nth === 1 ? refusal : success));
    const { client, sleeps } = testClient();
    await (key.includes('oapi') ? client.getUser('u1') : client.createAndDeliverCard(card));
    expect(tokensIssued).toBe(2);
    expect(calls(key)).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('refused twice: a retryable token failure after one refresh', async () => {
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token' } });
    const { client } = testClient();
    const failure = await failureOf(client.getUser('u1'));
    expect([failure.kind, failure.code, failure.retryable]).toEqual(['token', '40014', true]);
    expect(tokensIssued).toBe(2);
    expect(calls('POST /oapi/topapi/v2/user/get')).toHaveLength(2);
  });

  it('bad app credentials fail every call as credentials, without retrying', async () => {
    route('POST /api/v1.0/oauth2/accessToken', { status: 400, json: { code: 'invalidClientIdOrSecret', message: '无效的clientId或clientSecret' } });
    const { client } = testClient();
    const failure = await failureOf(client.getUser('u1'));
    expect([failure.api, failure.kind, failure.retryable]).toEqual(['oauth2.accessToken', 'credentials', false]);
    expect(received).toHaveLength(1);
  });
});

describe('retries', () => {
  it('backs off 1, 2 and 4 s (jittered) while throttled, then succeeds', async () => {
    route('POST /oapi/topapi/v2/user/get', (_r, nth) => (nth <= 3 ? { json: { errcode: 90018, errmsg: '超过限流' } } : { json: { errcode: 0, result: USER } }));
    const { client, sleeps } = testClient();
    expect(await client.getUser('u1')).toEqual(USER);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('gives up after three throttled retries with a retryable failure, api host alike', async () => {
    route('POST /api/v1.0/card/instances/createAndDeliver', { status: 403, json: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps' } });
    const { client, sleeps } = testClient({ random: () => 0 });
    const failure = await failureOf(client.createAndDeliverCard(card));
    expect([failure.kind, failure.httpStatus, failure.retryable]).toEqual(['throttled', 403, true]);
    expect(sleeps).toEqual([750, 1500, 3000]);
    expect(calls('POST /api/v1.0/card/instances/createAndDeliver')).toHaveLength(4);
  });

  it('waits about a second on the API-wide limit', async () => {
    route('POST /oapi/topapi/v2/user/get', (_r, nth) => (nth === 1 ? { json: { errcode: 90002, errmsg: 'api qps' } } : { json: { errcode: 0, result: USER } }));
    const { client, sleeps } = testClient();
    await client.getUser('u1');
    expect(sleeps).toEqual([1000]);
  });

  it('tries a 5xx three times in all, then throws a retryable server failure', async () => {
    route('POST /api/v1.0/card/instances/createAndDeliver', { status: 500, json: { code: 'system.busy', message: '系统繁忙' } });
    const { client, sleeps } = testClient();
    const failure = await failureOf(client.createAndDeliverCard(card));
    expect([failure.kind, failure.code, failure.httpStatus, failure.retryable]).toEqual(['server', 'system.busy', 500, true]);
    expect(calls('POST /api/v1.0/card/instances/createAndDeliver')).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('retries oapi -1 and todo lock errors like a server failure', async () => {
    route('POST /oapi/topapi/v2/user/get', (_r, nth) => (nth === 1 ? { json: { errcode: -1, errmsg: '系统繁忙' } } : { json: { errcode: 0, result: USER } }));
    route('POST /api/v1.0/todo/users/union1/tasks', (_r, nth) =>
      nth === 1 ? { status: 400, json: { code: 'todo.taskCreate.lockError', message: 'lock' } } : { json: { id: 'todo-1', subject: 's', done: false } },
    );
    const { client } = testClient();
    await client.getUser('u1');
    await client.createTodo('union1', { sourceId: 's', subject: 's', executorIds: ['union1'], detailUrl: { appUrl: 'a', pcUrl: 'a' } });
    expect(calls('POST /oapi/topapi/v2/user/get')).toHaveLength(2);
    expect(calls('POST /api/v1.0/todo/users/union1/tasks')).toHaveLength(2);
  });

  it('never retries a parameter error', async () => {
    route('POST /api/v1.0/card/instances/createAndDeliver', { status: 400, json: { code: 'param.templateNotExist', message: 'template not exist' } });
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 40035, errmsg: '缺少参数' } });
    const { client, sleeps } = testClient();
    const card400 = await failureOf(client.createAndDeliverCard(card));
    const oapi40035 = await failureOf(client.getUser('u1'));
    expect([card400.kind, card400.retryable, oapi40035.kind, oapi40035.code]).toEqual(['parameter', false, 'parameter', '40035']);
    expect(received.filter((r) => !r.path.includes('oauth2'))).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('takes an HTTP 200 oapi answer with a non-zero errcode as the failure it names', async () => {
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 60121, errmsg: '找不到该用户' } });
    route('POST /oapi/topapi/v2/department/get', { json: { errcode: 60011, errmsg: '没有调用该接口的权限' } });
    route('POST /oapi/topapi/v2/user/getuserinfo', { json: { errcode: 40078, errmsg: '不存在的临时授权码' } });
    route('POST /oapi/topapi/v2/user/list', { json: { errcode: 90020, errmsg: 'quota' } });
    const { client } = testClient();
    const failures = await Promise.all([
      failureOf(client.getUser('nobody')),
      failureOf(client.getDepartment(2)),
      failureOf(client.getUserInfoByAuthCode('used')),
      failureOf(client.listDepartmentUsers(1, 0, 100)),
    ]);
    expect(failures.map((f) => [f.api, f.kind, f.code, f.httpStatus])).toEqual([
      ['topapi/v2/user/get', 'not_found', '60121', 200],
      ['topapi/v2/department/get', 'permission', '60011', 200],
      ['topapi/v2/user/getuserinfo', 'invalid_auth_code', '40078', 200],
      ['topapi/v2/user/list', 'quota', '90020', 200],
    ]);
    expect(failures[0]?.message).toBe('topapi/v2/user/get: 60121 找不到该用户');
  });

  it('survives answers that are not JSON: an HTML error page, the ban page and the JSON ban', async () => {
    route('POST /api/v1.0/card/instances/createAndDeliver', { status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    route('POST /oapi/topapi/v2/user/get', { status: 200, text: '<html>您的IP访问过于频繁</html>' });
    route('POST /oapi/topapi/v2/department/get', { status: 200, json: { status: 1111, wait: 5 } });
    const { client } = testClient();
    const html502 = await failureOf(client.createAndDeliverCard(card));
    const banPage = await failureOf(client.getUser('u1'));
    const banJson = await failureOf(client.getDepartment(1));
    expect([html502.kind, html502.code, html502.retryable]).toEqual(['server', 'http_502', true]);
    expect([banPage.kind, banPage.code]).toEqual(['throttled', 'http_200']);
    expect([banJson.kind, banJson.code]).toEqual(['throttled', 'status_1111']);
    expect(html502.message).toContain('502 Bad Gateway');
  });

  it('retries a refused connection and a timeout three times in all, as network failures', async () => {
    const refused = createDingTalkClient(
      { ...settings(), apiBase: 'http://127.0.0.1:1', oapiBase: 'http://127.0.0.1:1' },
      { sleep: async () => undefined, log: () => undefined },
    );
    const unreachable = await failureOf(refused.openStreamConnection([]));
    expect([unreachable.kind, unreachable.code, unreachable.retryable]).toEqual(['network', 'network', true]);

    route('POST /api/v1.0/gateway/connections/open', { hang: true });
    const { client, logs } = testClient({ timeoutMs: 50 });
    const timedOut = await failureOf(client.openStreamConnection([]));
    expect([timedOut.kind, timedOut.code]).toEqual(['network', 'timeout']);
    expect(logs.map((l) => l.attempt)).toEqual([1, 2, 3]);
  });
});

describe('the rate limit', () => {
  it('makes calls beyond the per-API limit wait their turn, other APIs unaffected', async () => {
    route('POST /oapi/topapi/v2/user/get', { json: { errcode: 0, result: USER } });
    route('POST /oapi/topapi/v2/department/get', { json: { errcode: 0, result: { dept_id: 1, name: 'root' } } });
    const { client, sleeps } = testClient({ rateLimitPerSecond: 2 });
    await client.getUser('u1'); // fetches the token: one call of oauth2.accessToken
    await Promise.all([client.getUser('u2'), client.getUser('u3'), client.getUser('u4')]);
    await client.getDepartment(1);
    expect(sleeps).toEqual([500, 1000]);
  });
});

describe('secrets', () => {
  it('appear in no log line and no error message', async () => {
    route('POST /oapi/topapi/v2/user/get', (request) => ({
      json: { errcode: 88, sub_code: '40014', sub_msg: `不合法的access_token ${request.query.get('access_token') ?? ''}` },
    }));
    route('POST /api/v1.0/card/instances/createAndDeliver', (request) => ({
      status: 500,
      json: { code: 'system.busy', message: `busy for ${String(request.headers['x-acs-dingtalk-access-token'])} of ${APP_SECRET}` },
    }));
    route('POST /api/v1.0/gateway/connections/open', { status: 503, text: `<html>${APP_SECRET}</html>` });
    const { client, logs } = testClient();
    const errors = [
      await failureOf(client.getUser('u1')),
      await failureOf(client.createAndDeliverCard(card)),
      await failureOf(client.openStreamConnection([])),
      // fetch quotes a URL it cannot parse, access_token included.
      await failureOf(createDingTalkClient({ ...settings(), oapiBase: 'http://[bad' }, { sleep: async () => undefined, fetch: failingFetch() }).getUser('u1')),
    ];
    const secrets = [APP_SECRET, tokenNo(1), tokenNo(2), tokenNo(3), encodeURIComponent(tokenNo(1)), encodeURIComponent(tokenNo(2)), 'leaked-token'];
    const texts = [...logs.map((l) => JSON.stringify(l)), ...errors.flatMap((e) => [e.message, e.code, String(e.stack), JSON.stringify(e)])];
    expect(logs.length).toBeGreaterThan(5);
    expect(errors[3]?.message).toContain('access_token=***');
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
    for (const line of logs) for (const key of Object.keys(line)) expect(['api', 'status', 'ms', 'attempt', 'errorCode']).toContain(key);
  });
});

/** A fetch that gets a token, then fails the way undici does on a bad URL: quoting it. */
function failingFetch(): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes('oauth2')) return new Response(JSON.stringify({ accessToken: 'leaked-token', expireIn: 7200 }), { status: 200 });
    throw new TypeError(`Failed to parse URL from ${url}`, { cause: new Error(`${url} ${String(init?.method)}`) });
  };
}
