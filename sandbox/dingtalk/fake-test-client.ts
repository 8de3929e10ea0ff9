import { WebSocket, type RawData } from 'ws';
import { CARD_CALLBACK_TOPIC, type StreamSubscription } from '../../integrations/dingtalk/dingtalk-api';
import { startFakeDingTalk, type FakeDingTalkOptions, type FakeOrg, type RunningFakeDingTalk } from './fake-dingtalk';
import type { StreamFrame } from './stream-frames';

/** What the fake's own tests start it with and call it through. */

export const APP = { appKey: 'ding-test-app', appSecret: 'test-app-secret-123', agentId: 4242, corpId: 'ding-test-corp' };
export const OTHER_APP = { appKey: 'ding-other-app', appSecret: 'other-app-secret-456', agentId: 777, corpId: 'ding-test-corp' };
export const TEMPLATE = 'approval_card.schema';

export function testOrg(): FakeOrg {
  return {
    departments: [
      { dept_id: 2, name: '财务部', parent_id: 1, managerUserIds: ['dt_head'] },
      { dept_id: 3, name: '研发部', managerUserIds: ['dt_one'] },
      { dept_id: 4, name: '平台组', parent_id: 3 },
    ],
    users: [
      { userid: 'dt_head', unionid: 'un_head', name: '财务主管', dept_id_list: [2], admin: true, email: 'head@example.com' },
      { userid: 'dt_one', unionid: 'un_one', name: '一号审批人', dept_id_list: [2, 3], manager_userid: 'dt_head', title: '经理' },
      { userid: 'dt_two', unionid: 'un_two', name: '二号审批人', dept_id_list: [2] },
      { userid: 'dt_three', unionid: 'un_three', name: '三号审批人', dept_id_list: [4], active: false },
    ],
  };
}

const running: RunningFakeDingTalk[] = [];

export async function startFake(options: Partial<FakeDingTalkOptions> = {}): Promise<RunningFakeDingTalk> {
  const fake = await startFakeDingTalk({ apps: [APP, OTHER_APP], cardTemplateIds: [TEMPLATE], org: testOrg(), ...options });
  running.push(fake);
  return fake;
}

export async function stopFakes(): Promise<void> {
  await Promise.all(running.splice(0).map((f) => f.close()));
}

export interface Answer {
  status: number;
  text: string;
  contentType: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, contentType: response.headers.get('content-type') ?? '', json };
}

export async function tokenOf(fake: RunningFakeDingTalk, app: { appKey: string; appSecret: string } = APP): Promise<string> {
  const answer = await callApi(fake, 'POST', '/v1.0/oauth2/accessToken', { appKey: app.appKey, appSecret: app.appSecret }, { token: null });
  if (answer.status !== 200 || typeof answer.json?.accessToken !== 'string') throw new Error(`no token: ${answer.text}`);
  return answer.json.accessToken;
}

/** api.dingtalk.com style: the token in `x-acs-dingtalk-access-token` (`token: null` sends none; default: a fresh one of APP). */
export async function callApi(
  fake: RunningFakeDingTalk,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = options.token === undefined ? await tokenOf(fake) : options.token;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { 'x-acs-dingtalk-access-token': token } : {}),
    ...options.headers,
  };
  return answerOf(await fetch(fake.url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}

/** oapi.dingtalk.com style: POST (default) with `?access_token=` (`token: null` sends none). */
export async function callOapi(
  fake: RunningFakeDingTalk,
  path: string,
  body?: unknown,
  options: { token?: string | null; method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = options.token === undefined ? await tokenOf(fake) : options.token;
  const separator = path.includes('?') ? '&' : '?';
  const url = fake.url + path + (token ? `${separator}access_token=${encodeURIComponent(token)}` : '');
  const headers = { 'content-type': 'application/json', ...options.headers };
  return answerOf(await fetch(url, { method: options.method ?? 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}

export const CARD_SUBSCRIPTIONS: StreamSubscription[] = [
  { type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC },
  { type: 'EVENT', topic: '*' },
];

export async function openStreamTicket(
  fake: RunningFakeDingTalk,
  subscriptions: StreamSubscription[] = CARD_SUBSCRIPTIONS,
  app: { appKey: string; appSecret: string } = APP,
): Promise<{ endpoint: string; ticket: string }> {
  const answer = await callApi(
    fake,
    'POST',
    '/v1.0/gateway/connections/open',
    { clientId: app.appKey, clientSecret: app.appSecret, subscriptions, ua: 'fake-test-client' },
    { token: null, headers: { accept: 'application/json' } },
  );
  if (answer.status !== 200 || !answer.json) throw new Error(`no Stream ticket: ${answer.text}`);
  return answer.json as { endpoint: string; ticket: string };
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A minimal Stream client on `ws`: records every frame; the test decides what to ack. */
export class TestStreamClient {
  readonly frames: StreamFrame[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(textOf(data)) as StreamFrame);
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async connect(fake: RunningFakeDingTalk, subscriptions: StreamSubscription[] = CARD_SUBSCRIPTIONS): Promise<TestStreamClient> {
    const { endpoint, ticket } = await openStreamTicket(fake, subscriptions);
    const socket = new WebSocket(`${endpoint}?ticket=${encodeURIComponent(ticket)}`);
    const client = new TestStreamClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** The first frame (from `after` on) that `match` accepts, waiting for it up to `timeoutMs`. */
  nextFrame(match: (frame: StreamFrame) => boolean, options: { after?: number; timeoutMs?: number } = {}): Promise<StreamFrame> {
    const after = options.after ?? 0;
    const find = () => this.frames.slice(after).find(match);
    return new Promise((resolve, reject) => {
      const found = find();
      if (found) return resolve(found);
      const wake = () => {
        const frame = find();
        if (!frame) return;
        cleanup();
        resolve(frame);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching Stream frame within ${options.timeoutMs ?? 3000} ms; got ${JSON.stringify(this.frames.map((f) => f.headers.topic))}`));
      }, options.timeoutMs ?? 3000);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  /** The ack DingTalk's SDKs send: same messageId, `data` a JSON string. */
  ack(frame: StreamFrame, data: string, code = 200): void {
    this.socket.send(JSON.stringify({ code, headers: { messageId: frame.headers.messageId, contentType: 'application/json' }, message: 'OK', data }));
  }

  closed(): Promise<number> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
    return new Promise((resolve) => this.socket.once('close', (code) => resolve(code)));
  }

  close(): void {
    this.socket.terminate();
  }
}

/** A card of APP to `userIds` (one-to-one robot spaces), with the fields our product sends. */
export function cardRequest(outTrackId: string, userIds: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cardTemplateId: TEMPLATE,
    outTrackId,
    cardData: {
      cardParamMap: {
        title: '采购申请',
        status: 'pending',
        statusText: '待审批',
        actionable: 'true',
        fields: JSON.stringify([{ label: '金额', value: '100' }]),
      },
    },
    callbackType: 'HTTP',
    callbackRouteKey: 'approval-test',
    userIdType: 1,
    openSpaceId: `dtv1.card//${userIds.map((u) => `IM_ROBOT.${u}`).join(';')}`,
    imRobotOpenSpaceModel: { supportForward: false, lastMessageI18n: { ZH_CN: '你有一个审批' } },
    imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
    ...overrides,
  };
}
