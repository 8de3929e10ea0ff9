import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEMO_APP_KEY, DEMO_ERP_SYSTEM, demoFlow } from '../../db/seed-demo';
import type { InstanceView } from '../../engine/instance-view';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { signedHeaders } from '../../protocol/request-signature';
import { DEFAULT_NAMESPACE } from '../../temporal-config';
import { pollUntil, uid } from '../support/fixtures';
import { launchStart, startEnvironment, type StartedProduct, type StartEnvironment } from '../support/start-process';

/**
 * SPEC §9: the logs of a whole run of the embedded product carry the ids that tie a request to the
 * work it caused (requestId, instanceId, actionId) and never a secret. The product runs as `npm
 * start` does, with secrets of our own choosing; a demo flow goes through end to end over the
 * signed API and from a DingTalk card, with an org sync, webhooks to the ERP sandbox, a dev-login
 * session and refused requests; then everything it printed is searched.
 */
jest.setTimeout(420_000);

const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  DEMO_ERP_SECRET: secret('erp-app'),
  DEMO_ERP_SYSTEM_SECRET: secret('erp-system'),
  DINGTALK_SANDBOX_APP_SECRET: secret('dingtalk-app'),
  DINGTALK_SANDBOX_CALLBACK_SECRET: secret('dingtalk-callback'),
};
const SANDBOX_APP_KEY = 'ding-sandbox-app';
const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

let environment: StartEnvironment;
let product: StartedProduct;
/** Everything we sent that is secret-shaped: signatures, tokens. */
const sentSecrets: string[] = [];

async function call<T>(
  method: string,
  target: string,
  options: { body?: unknown; headers?: Record<string, string>; secret?: string } = {},
): Promise<Answer<T>> {
  const raw = options.body === undefined ? '' : JSON.stringify(options.body);
  const signed = signedHeaders({ appKey: DEMO_APP_KEY, secret: options.secret ?? SECRETS.DEMO_ERP_SECRET }, { method, path: target, body: raw });
  sentSecrets.push(signed['X-Signature']!);
  const response = await fetch(`http://127.0.0.1:${environment.apiPort}${target}`, {
    method,
    headers: { ...signed, ...(raw ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
    ...(raw ? { body: raw } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

async function ok<T>(answer: Promise<Answer<T>>, status = 200): Promise<Answer<T>> {
  const got = await answer;
  if (got.status !== status) throw new Error(`expected HTTP ${status}, got ${got.status}: ${JSON.stringify(got.body)}`);
  return got;
}

const instancePath = (id: string) => `/api/v1/instances/${encodeURIComponent(id)}`;
const view = async (id: string) => (await ok(call<InstanceView>('GET', instancePath(id)))).body;
const until = (id: string, what: string, done: (v: InstanceView) => boolean) => pollUntil(what, () => view(id), done, 60_000);

async function startRequest(headers: Record<string, string> = {}): Promise<string> {
  const businessKey = uid('PR');
  const body = {
    flowCode: demoFlow.code,
    businessKey,
    initiatorId: 'u_zhangsan',
    form: { title: '显示器', amount: 3000 },
    source: { system: DEMO_ERP_SYSTEM, type: 'purchase_request', id: businessKey },
    callbackUrl: `http://127.0.0.1:${environment.env.ERP_SANDBOX_PORT}/webhooks/approval`,
  };
  return (await ok(call<{ instanceId: string }>('POST', '/api/v1/instances', { body, headers }), 201)).body.instanceId;
}

const pendingOf = (v: InstanceView) => v.tasks.find((t) => t.status === 'pending');

async function sandbox<T>(method: string, target: string, body?: unknown): Promise<T> {
  const dingtalkPort = environment.env.DINGTALK_SANDBOX_PORT!;
  const response = await fetch(`http://127.0.0.1:${dingtalkPort}${target}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`sandbox ${method} ${target}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

type LogLine = Record<string, unknown>;
function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('the logs of a whole run', () => {
  let output = '';
  const actionRequestId = `erp-${randomBytes(6).toString('hex')}`;
  let httpInstance = '';
  let clickInstance = '';
  let sessionToken = '';
  let accessToken = '';
  let secretsKey = '';

  beforeAll(async () => {
    environment = await startEnvironment();
    product = launchStart(environment, { ...SECRETS, LOG_FORMAT: 'json', LOG_LEVEL: 'debug', DEV_LOGIN: '1' });
    try {
      await product.ready;
      secretsKey = readFileSync(path.join(environment.dataDir, 'app-secrets.key'), 'utf8').trim();

      // 1. Over the signed API: start, the manager approves (our request id), the ERP reserves budget, webhooks go out.
      httpInstance = await startRequest({ 'X-Request-Id': `start-${actionRequestId}` });
      const task = pendingOf(await until(httpInstance, 'the manager’s task', (v) => pendingOf(v)?.assigneeId === 'u_lisi'))!;
      const approved = await ok(
        call<InstanceView>('POST', `${instancePath(httpInstance)}/actions`, {
          body: { type: 'approve', actionId: uid('act'), actorId: 'u_lisi', taskId: task.taskId, comment: '同意' },
          headers: { 'X-Request-Id': actionRequestId },
        }),
      );
      expect(approved.headers.get('x-request-id')).toBe(actionRequestId);
      await until(httpInstance, 'the HTTP instance approved', (v) => v.status === 'approved');

      // 2. From the DingTalk sandbox: 李四 presses 同意 on his card (the signed HTTP callback).
      clickInstance = await startRequest();
      const clickTask = pendingOf(await until(clickInstance, 'the card’s task', (v) => pendingOf(v)?.assigneeId === 'u_lisi'))!;
      const outTrackId = outTrackIdOf(clickInstance, clickTask.taskId);
      await pollUntil(
        'the card in the sandbox',
        () => sandbox<{ cards: Array<{ outTrackId: string }> }>('GET', '/_sandbox/state.json'),
        (state) => state.cards.some((c) => c.outTrackId === outTrackId),
        60_000,
      );
      await sandbox('POST', '/_sandbox/click', { outTrackId, userId: 'dt_lisi', action: 'approve' });
      await until(clickInstance, 'the clicked instance approved', (v) => v.status === 'approved');

      // 3. The org: a push and a DingTalk org sync (its workflow run to its end).
      await ok(call('POST', '/api/v1/sync/users', { body: { mode: 'incremental', users: [{ id: 'u_logtest', name: '日志测试', deptIds: [] }] } }));
      const sync = await ok(call<{ workflowId: string; runId: string }>('POST', '/api/v1/sync/dingtalk', { body: {} }), 202);
      const connection = await Connection.connect({ address: `127.0.0.1:${environment.env.TEMPORAL_DEV_PORT}` });
      try {
        await new Client({ connection, namespace: DEFAULT_NAMESPACE }).workflow.getHandle(sync.body.workflowId).result();
      } finally {
        await connection.close();
      }

      // 4. A dev-login session, used and ended; a forged session and a bad signature.
      const login = await fetch(`http://127.0.0.1:${environment.apiPort}/api/v1/auth/dev-login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId: 'u_lisi' }),
      });
      expect(login.status).toBe(200);
      sessionToken = ((await login.json()) as { token: string }).token;
      const bearer = { Authorization: `Bearer ${sessionToken}` };
      for (const target of ['/api/v1/me', '/api/v1/tasks?assignee=u_lisi&status=closed']) {
        expect((await fetch(`http://127.0.0.1:${environment.apiPort}${target}`, { headers: bearer })).status).toBe(200);
      }
      expect((await fetch(`http://127.0.0.1:${environment.apiPort}/api/v1/auth/logout`, { method: 'POST', headers: bearer })).status).toBe(200);
      const forged = `forged-${randomBytes(16).toString('hex')}`;
      sentSecrets.push(forged);
      expect((await fetch(`http://127.0.0.1:${environment.apiPort}/api/v1/me`, { headers: { Authorization: `Bearer ${forged}` } })).status).toBe(401);
      expect((await call('GET', instancePath(httpInstance), { secret: 'not-the-secret' })).status).toBe(401);

      // The webhooks of both instances reached the ERP sandbox, signed.
      await pollUntil(
        'both results at the ERP',
        async () =>
          (await (await fetch(`http://127.0.0.1:${environment.env.ERP_SANDBOX_PORT}/api/received`)).json()) as {
            events: Array<{ type: string; body: { instanceId?: string } }>;
          },
        (received) =>
          [httpInstance, clickInstance].every((id) => received.events.some((e) => e.type === 'approval.completed' && JSON.stringify(e.body).includes(id))),
        60_000,
      );
      // The sandbox answers the token the product holds while it is valid (one per app).
      accessToken = (
        await sandbox<{ accessToken: string }>('POST', '/v1.0/oauth2/accessToken', { appKey: SANDBOX_APP_KEY, appSecret: SECRETS.DINGTALK_SANDBOX_APP_SECRET })
      ).accessToken;
    } finally {
      product.child.kill('SIGTERM');
      await product.exited;
      output = product.output();
      // To read what a run logs (nothing in it is secret, or the test fails).
      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      writeFileSync(path.join(ARTIFACTS_DIR, 'logs-of-a-run.log'), output);
      rmSync(environment.dataDir, { recursive: true, force: true });
    }
  });

  it('holds no secret: app and ERP secrets, DingTalk secrets and tokens, sessions, the secrets key, signatures', () => {
    const secrets = { ...SECRETS, accessToken, sessionToken, secretsKey, ...Object.fromEntries(sentSecrets.map((s, i) => [`sent #${i}`, s])) };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length).toBeGreaterThanOrEqual(16);
      if (output.includes(value)) throw new Error(`the logs hold ${name}:\n${output.split('\n').find((line) => line.includes(value))}`);
    }
    expect(output).not.toMatch(/Bearer [A-Za-z0-9]/);
  });

  it('is JSON lines that carry requestId, instanceId and actionId', () => {
    const lines = jsonLines(output);
    expect(lines.length).toBeGreaterThan(50);
    for (const field of ['requestId', 'instanceId', 'actionId', 'appKey', 'userId', 'activityType']) {
      expect(lines.filter((line) => typeof line[field] === 'string').length).toBeGreaterThan(0);
    }
    const accessLines = lines.filter((line) => line.msg === 'request');
    expect(accessLines.every((line) => typeof line.route === 'string' && typeof line.status === 'number' && typeof line.durationMs === 'number')).toBe(true);
    const click = accessLines.find((line) => line.route === '/api/v1/dingtalk/callback');
    expect(click).toMatchObject({ instanceId: clickInstance, status: 200 });
    expect(click!.actionId).toMatch(/^dingtalk:/);
  });

  it('ties one request id from the API line of an action to the activities that action caused', () => {
    const lines = jsonLines(output).filter((line) => line.requestId === actionRequestId);
    const api = lines.find((line) => line.msg === 'request');
    expect(api).toMatchObject({ method: 'POST', route: '/api/v1/instances/{id}/actions', status: 200, instanceId: httpInstance, appKey: DEMO_APP_KEY });
    expect(typeof api!.actionId).toBe('string');
    const activities = lines.filter((line) => typeof line.activityType === 'string');
    expect(activities.map((line) => line.instanceId)).toContain(httpInstance);
    // The budget reservation of the next node, run by the workflow's main loop after the approve's handler.
    expect(activities.map((line) => line.activityType)).toEqual(expect.arrayContaining(['callErpOperation']));
  });
});
