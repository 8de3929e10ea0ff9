import { isDeepStrictEqual } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { signedHeaders } from '../../protocol/request-signature';
import { API_ROUTES, createApi } from '../../api/app';
import { honoPath } from '../../api/contract/register';
import type { ApiDependencies } from '../../api/context';
import { APP_PERMISSIONS, type AppPermission } from '../../db/schema';
import {
  delegate,
  expectOk,
  hasPendingTasks,
  hoursFromNow,
  instancePath,
  oneApprovalFlow,
  seedOrgAndFlow,
  startBody,
  uid,
  waitForView,
} from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * SPEC §7 over every signed route: each way a signature can be wrong answers 401 with its code
 * in SPEC §6's error shape, a missing permission 403 — and neither writes anything: not a row of
 * any table (the nonce included), not a workflow, not a history event.
 */

/** What the routes' valid requests refer to, made in `beforeAll`. */
interface Fixtures {
  flowCode: string;
  /** A running instance with a pending task for u_a. */
  instanceId: string;
  /** The business key the start route's valid request uses (its instance does not exist yet). */
  startKey: string;
  /** An active delegation (u_a → u_b) for the revoke route. */
  delegationId: string;
}

interface SignedRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** The route as Hono registers it (checked against the app's routes below). */
  route: string;
  /** The permission the app needs; none: any signed app. */
  permission?: AppPermission;
  /** A valid request: its target (path and query, as sent and signed) and JSON body. */
  request: (f: Fixtures) => { target: string; body?: unknown };
  /** What the valid request answers once past authentication (default 200 or 201). */
  answers?: number[];
  /** What it answers an app that holds no permission (default: as `answers`); the instance reads answer 404, as the instance is another app's. */
  bareAnswers?: number[];
  /** Users may call it with their session too. */
  sessions?: true;
}

const erpSystem = {
  code: 'auth_matrix_erp',
  baseUrl: 'http://127.0.0.1:9/erp',
  auth: { type: 'hmac', appKey: 'erp-key', secret: 'erp-secret' },
  operations: { ping: { method: 'GET', path: '/ping' } },
};

/** Every route that takes a signed request. A new route is one line here (the coverage test below fails until it is). */
const signedRoutes: SignedRoute[] = [
  { method: 'GET', route: '/api/v1/definitions', permission: 'admin', sessions: true, request: () => ({ target: '/api/v1/definitions' }) },
  {
    method: 'POST',
    route: '/api/v1/definitions',
    permission: 'admin',
    sessions: true,
    request: (f) => ({ target: '/api/v1/definitions', body: oneApprovalFlow(f.flowCode, ['u_a']) }),
  },
  {
    method: 'POST',
    route: '/api/v1/definitions/:code/publish',
    permission: 'admin',
    sessions: true,
    request: (f) => ({ target: `/api/v1/definitions/${f.flowCode}/publish` }),
  },
  {
    method: 'GET',
    route: '/api/v1/definitions/:code',
    permission: 'admin',
    sessions: true,
    request: (f) => ({ target: `/api/v1/definitions/${f.flowCode}` }),
  },
  {
    method: 'GET',
    route: '/api/v1/definitions/:code/versions/:version',
    permission: 'admin',
    sessions: true,
    request: (f) => ({ target: `/api/v1/definitions/${f.flowCode}/versions/1` }),
  },
  {
    method: 'POST',
    route: '/api/v1/definitions/validate',
    permission: 'admin',
    sessions: true,
    request: (f) => ({ target: '/api/v1/definitions/validate', body: oneApprovalFlow(f.flowCode, ['u_a']) }),
  },
  {
    method: 'POST',
    route: '/api/v1/definitions/preview',
    permission: 'admin',
    sessions: true,
    request: (f) => ({
      target: '/api/v1/definitions/preview',
      body: { definition: oneApprovalFlow(f.flowCode, ['u_a']), initiatorId: 'u_initiator', form: { amount: 5 } },
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/definitions/:code/preview',
    permission: 'start',
    request: (f) => ({ target: `/api/v1/definitions/${f.flowCode}/preview`, body: { initiatorId: 'u_initiator', form: { amount: 5 } } }),
  },
  {
    method: 'POST',
    route: '/api/v1/instances',
    permission: 'start',
    request: (f) => ({ target: '/api/v1/instances', body: startBody(f.flowCode, f.startKey) }),
  },
  { method: 'GET', route: '/api/v1/instances', sessions: true, request: () => ({ target: '/api/v1/instances?initiatorId=u_initiator&limit=5' }) },
  { method: 'GET', route: '/api/v1/instances/:id', sessions: true, bareAnswers: [404], request: (f) => ({ target: instancePath(f.instanceId) }) },
  {
    method: 'GET',
    route: '/api/v1/instances/:id/timeline',
    sessions: true,
    bareAnswers: [404],
    request: (f) => ({ target: `${instancePath(f.instanceId)}/timeline` }),
  },
  {
    method: 'GET',
    route: '/api/v1/instances/:id/route',
    sessions: true,
    bareAnswers: [404],
    request: (f) => ({ target: `${instancePath(f.instanceId)}/route` }),
  },
  {
    method: 'GET',
    route: '/api/v1/instances/:id/form',
    sessions: true,
    bareAnswers: [404],
    request: (f) => ({ target: `${instancePath(f.instanceId)}/form` }),
  },
  {
    method: 'GET',
    route: '/api/v1/instances/:id/notifications',
    bareAnswers: [404],
    request: (f) => ({ target: `${instancePath(f.instanceId)}/notifications` }),
  },
  {
    method: 'POST',
    route: '/api/v1/instances/:id/actions',
    permission: 'act_for',
    sessions: true,
    request: (f) => ({
      target: `${instancePath(f.instanceId)}/actions`,
      body: { type: 'comment', actionId: 'auth-matrix-comment', actorId: 'u_a', comment: '看过了' },
    }),
  },
  { method: 'GET', route: '/api/v1/tasks', sessions: true, request: () => ({ target: '/api/v1/tasks?assignee=u_a&status=pending' }) },
  { method: 'GET', route: '/api/v1/users', sessions: true, request: () => ({ target: '/api/v1/users?q=u_&deptId=d1&limit=5' }) },
  { method: 'GET', route: '/api/v1/roles', sessions: true, request: () => ({ target: '/api/v1/roles' }) },
  { method: 'GET', route: '/api/v1/departments', sessions: true, request: () => ({ target: '/api/v1/departments' }) },
  { method: 'POST', route: '/api/v1/users/:id/sessions/revoke', permission: 'admin', request: () => ({ target: '/api/v1/users/u_nobody/sessions/revoke' }) },
  {
    method: 'POST',
    route: '/api/v1/sync/users',
    permission: 'sync',
    request: () => ({ target: '/api/v1/sync/users', body: { mode: 'incremental', users: [{ id: 'u_pushed', name: '新同事', deptIds: ['d1'] }] } }),
  },
  {
    method: 'POST',
    route: '/api/v1/sync/departments',
    permission: 'sync',
    request: () => ({ target: '/api/v1/sync/departments', body: { mode: 'incremental', departments: [{ id: 'd_pushed', name: '新部门' }] } }),
  },
  // The stack has no DingTalk configured: the valid request passes authentication and answers 503.
  { method: 'POST', route: '/api/v1/sync/dingtalk', permission: 'sync', request: () => ({ target: '/api/v1/sync/dingtalk', body: {} }), answers: [503] },
  {
    method: 'POST',
    route: '/api/v1/delegations',
    permission: 'act_for',
    request: () => ({
      target: '/api/v1/delegations',
      body: { delegatorId: 'u_b', delegateId: 'u_outsider', startsAt: hoursFromNow(1), endsAt: hoursFromNow(2) },
    }),
  },
  { method: 'GET', route: '/api/v1/delegations', permission: 'act_for', request: () => ({ target: '/api/v1/delegations?delegatorId=u_a' }) },
  { method: 'DELETE', route: '/api/v1/delegations/:id', permission: 'act_for', request: (f) => ({ target: `/api/v1/delegations/${f.delegationId}` }) },
  { method: 'GET', route: '/api/v1/admin/drift', permission: 'admin', request: () => ({ target: '/api/v1/admin/drift' }) },
  // A running instance has nothing to compensate: the valid request passes authentication and answers 409.
  {
    method: 'POST',
    route: '/api/v1/instances/:id/compensations/retry',
    permission: 'admin',
    request: (f) => ({ target: `${instancePath(f.instanceId)}/compensations/retry`, body: { requestId: 'auth-matrix' } }),
    answers: [409],
  },
  // Admin intervention without ending the shared instance: an instance that does not exist, and a task it does not have (404).
  {
    method: 'POST',
    route: '/api/v1/instances/:id/terminate',
    permission: 'admin',
    sessions: true,
    request: (f) => ({ target: `${instancePath(`approval:${f.flowCode}:auth-matrix-none`)}/terminate`, body: { requestId: 'auth-matrix', reason: '测试' } }),
    answers: [404],
  },
  {
    method: 'POST',
    route: '/api/v1/instances/:id/reassign',
    permission: 'admin',
    sessions: true,
    request: (f) => ({
      target: `${instancePath(f.instanceId)}/reassign`,
      body: { requestId: 'auth-matrix', taskId: 'no-such-task', toUserId: 'u_b', reason: '测试' },
    }),
    answers: [404],
  },
  { method: 'GET', route: '/api/v1/apps', permission: 'admin', request: () => ({ target: '/api/v1/apps' }) },
  // Registered by the first valid request, then taken (409); a rotation of an app that does not exist (404) leaves the matrix's apps alone.
  {
    method: 'POST',
    route: '/api/v1/apps',
    permission: 'admin',
    request: () => ({ target: '/api/v1/apps', body: { key: 'auth-matrix-new-app', name: '测试', permissions: ['start'] } }),
    answers: [201, 409],
  },
  {
    method: 'POST',
    route: '/api/v1/apps/:key/secret',
    permission: 'admin',
    request: () => ({ target: '/api/v1/apps/auth-matrix-no-app/secret', body: {} }),
    answers: [404],
  },
  { method: 'POST', route: '/api/v1/systems', permission: 'admin', request: () => ({ target: '/api/v1/systems', body: erpSystem }) },
  { method: 'GET', route: '/api/v1/systems', permission: 'admin', sessions: true, request: () => ({ target: '/api/v1/systems' }) },
  { method: 'GET', route: '/api/v1/systems/:code', permission: 'admin', request: () => ({ target: `/api/v1/systems/${erpSystem.code}` }) },
  { method: 'GET', route: '/api/v1/webhooks/dead-letters', request: () => ({ target: '/api/v1/webhooks/dead-letters?state=all&limit=5' }) },
  // No webhook has died here: the valid request passes authentication and answers 404.
  {
    method: 'POST',
    route: '/api/v1/webhooks/dead-letters/:id/replay',
    request: () => ({ target: '/api/v1/webhooks/dead-letters/999999/replay' }),
    answers: [404],
  },
  {
    method: 'GET',
    route: '/api/v1/webhooks/deliveries',
    request: (f) => ({ target: `/api/v1/webhooks/deliveries?instanceId=${encodeURIComponent(f.instanceId)}&limit=5` }),
  },
];

/**
 * Unsigned by SPEC §7: health, the metrics (metrics.int.test.ts) and the docs; DingTalk's card callback (signed DingTalk's way) and 免登 (tested in
 * dingtalk-channel.int.test.ts); the sandbox's dev login (sessions-and-visibility.int.test.ts).
 */
const unsignedRoutes = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/:asset',
  'POST /api/v1/dingtalk/callback',
  'POST /api/v1/auth/dingtalk',
  'GET /api/v1/auth/dev-login',
  'POST /api/v1/auth/dev-login',
];

/** The browser apps' pages and assets (sessions-and-visibility.int.test.ts, h5-app.int.test.ts, the designer's tests): HTML and scripts, no API. */
const pageRoutes = ['h5', 'designer'].flatMap((app) => [`GET /${app}`, `GET /${app}/`, `GET /${app}/*`, `GET /${app}/assets/:file`]);

/** Only for a user's session (sessions-and-visibility.int.test.ts tests them and the session side of the routes above). */
const sessionOnlyRoutes = ['POST /api/v1/auth/logout', 'GET /api/v1/me', 'GET /api/v1/cc', 'POST /api/v1/cc/:ccId/read'];

let stack: TestStack;
let fixtures: Fixtures;
/** An app with every permission, so only what each case breaks is wrong. */
let app: { appKey: string; secret: string };

beforeAll(async () => {
  stack = await startTestStack();
  const flowCode = await seedOrgAndFlow(stack.api, 'authm', ['u_a']);
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
  await waitForView(stack.api, started.instanceId, hasPendingTasks);
  const delegationId = await delegate(stack.api, { delegatorId: 'u_a', delegateId: 'u_b' });
  await expectOk(stack.api.request('POST', '/api/v1/systems', erpSystem), 201);
  fixtures = { flowCode, instanceId: started.instanceId, startKey: uid('BK'), delegationId };
  app = await stack.appWith([...APP_PERMISSIONS]);
  await settledState();
}, 60_000);
afterAll(() => stack?.stop());

// ---------------------------------------------------------------------------------------------
// What "nothing written" compares: every table's rows, and the workflows of the stack's queue.

interface StateSnapshot {
  tables: Record<string, { rows: number; hash: string }>;
  workflows: Record<string, { runId: string; status: string; historyLength: number }>;
}

let snapshotQuery: string | undefined;

/** One statement: the row count and a hash of the sorted rows of every table outside the system schemas. */
async function buildSnapshotQuery(): Promise<string> {
  const tables = await stack.database.sql<Array<{ schema: string; name: string }>>`
    select n.nspname as schema, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
    order by 1, 2`;
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['auth_nonces', 'users', 'instances', 'tasks', 'instance_events', 'delegations']));
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return tables
    .map(
      (t) =>
        `select ${literal(`${t.schema}.${t.name}`)} as name, count(*)::int as rows, md5(coalesce(string_agg(r::text, E'\\n' order by r::text), '')) as hash from ${quote(t.schema)}.${quote(t.name)} r`,
    )
    .join(' union all ');
}

async function describeWorkflow(workflowId: string) {
  try {
    const d = await stack.temporal.workflow.getHandle(workflowId).describe();
    return { runId: d.runId, status: d.status.name, historyLength: d.historyLength };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

async function snapshot(): Promise<StateSnapshot> {
  snapshotQuery ??= await buildSnapshotQuery();
  const rows = await stack.database.sql.unsafe<Array<{ name: string; rows: number; hash: string }>>(snapshotQuery);
  const tables = Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, hash: r.hash }]));
  // Visibility lists the queue's workflows; the ones the routes touch are also described directly (visibility may lag).
  const ids = new Set([fixtures.instanceId, `approval:${fixtures.flowCode}:${fixtures.startKey}`]);
  for await (const execution of stack.temporal.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` })) ids.add(execution.workflowId);
  const workflows: StateSnapshot['workflows'] = {};
  for (const id of [...ids].sort()) {
    const described = await describeWorkflow(id);
    if (described) workflows[id] = described;
  }
  return { tables, workflows };
}

/** The state once the work a request set off (workflow tasks, projection writes) has finished. */
async function settledState(): Promise<StateSnapshot> {
  let last = await snapshot();
  for (let i = 0; i < 60; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await snapshot();
    if (isDeepStrictEqual(next, last)) return next;
    last = next;
  }
  throw new Error(`the state did not settle: ${JSON.stringify(last)}`);
}

/** What changed between two snapshots, by table / workflow (empty: nothing). */
function changes(before: StateSnapshot, after: StateSnapshot): string[] {
  const diff: string[] = [];
  for (const name of new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])) {
    if (!isDeepStrictEqual(before.tables[name], after.tables[name]))
      diff.push(`table ${name}: ${JSON.stringify(before.tables[name])} → ${JSON.stringify(after.tables[name])}`);
  }
  for (const id of new Set([...Object.keys(before.workflows), ...Object.keys(after.workflows)])) {
    if (!isDeepStrictEqual(before.workflows[id], after.workflows[id]))
      diff.push(`workflow ${id}: ${JSON.stringify(before.workflows[id])} → ${JSON.stringify(after.workflows[id])}`);
  }
  return diff;
}

// ---------------------------------------------------------------------------------------------
// Requests.

interface Sent {
  status: number;
  contentType: string | null;
  body: unknown;
}

async function send(method: string, target: string, headers: Record<string, string>, body?: string): Promise<Sent> {
  const response = await fetch(stack.baseUrl + target, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), body: text ? (JSON.parse(text) as unknown) : undefined };
}

interface Signing {
  appKey: string;
  secret: string;
  method: string;
  target: string;
  body: string;
  timestamp: number;
  nonce: string;
}

/** A route's valid request, signed (by default) correctly with the all-permissions app. */
function validRequest(route: SignedRoute) {
  const { target, body } = route.request(fixtures);
  const raw = body === undefined ? undefined : JSON.stringify(body);
  const signing: Signing = {
    appKey: app.appKey,
    secret: app.secret,
    method: route.method,
    target,
    body: raw ?? '',
    timestamp: Date.now(),
    nonce: uid('nonce'),
  };
  return { target, raw, signing };
}

const headersFor = (s: Signing) =>
  signedHeaders({ appKey: s.appKey, secret: s.secret }, { method: s.method, path: s.target, body: s.body }, s.timestamp, s.nonce);

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

/** A query string changed after signing: a parameter added. */
const alteredTarget = (target: string) => `${target}${target.includes('?') ? '&' : '?'}tampered=1`;

/** SPEC §6's error shape: `{error: {code, message, details?}}` and nothing else. */
function expectErrorShape(response: Sent, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { error?: { code?: unknown } } | undefined)?.error?.code }).toEqual({ status, code });
  expect(response.contentType).toMatch(/^application\/json/);
  const body = response.body as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  const error = body.error as Record<string, unknown>;
  expect(Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k))).toEqual([]);
  expect(error.message).toEqual(expect.stringMatching(/\S/));
}

async function expectRejectedWithoutWrites(request: () => Promise<Sent>, status: number, code: string): Promise<void> {
  const before = await snapshot();
  const response = await request();
  expectErrorShape(response, status, code);
  expect(changes(before, await snapshot())).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

const label = (r: SignedRoute) => `${r.method} ${r.route}`;

/** One way of getting the signature wrong: how the request is sent, and the code it must answer. */
interface BadSignatureCase {
  name: string;
  code: string;
  /** Only for routes whose valid request has a body (`'body'`), or that are not GETs (`'not GET'`). */
  only?: 'body' | 'not GET';
  send: (route: SignedRoute) => Promise<Sent>;
}

function sendWith(
  route: SignedRoute,
  change: (s: Signing) => { signing?: Partial<Signing>; headers?: (h: Record<string, string>) => Record<string, string>; target?: string; body?: string },
) {
  const { target, raw, signing } = validRequest(route);
  const changed = change(signing);
  const headers = headersFor({ ...signing, ...changed.signing });
  return send(route.method, changed.target ?? target, changed.headers ? changed.headers(headers) : headers, changed.body ?? raw);
}

const badSignatureCases: BadSignatureCase[] = [
  { name: 'no signature headers', code: 'MISSING_SIGNATURE', send: (r) => sendWith(r, () => ({ headers: () => ({}) })) },
  ...(['X-App-Key', 'X-Timestamp', 'X-Nonce', 'X-Signature'] as const).map((header): BadSignatureCase => ({
    name: `no ${header} header`,
    code: 'MISSING_SIGNATURE',
    send: (r) => sendWith(r, () => ({ headers: (h) => withoutHeader(h, header) })),
  })),
  { name: 'an unknown app key', code: 'UNKNOWN_APP', send: (r) => sendWith(r, () => ({ signing: { appKey: uid('no-such-app') } })) },
  { name: 'a wrong secret', code: 'BAD_SIGNATURE', send: (r) => sendWith(r, () => ({ signing: { secret: 'not-the-secret' } })) },
  {
    name: 'a signature over another method',
    code: 'BAD_SIGNATURE',
    send: (r) => sendWith(r, () => ({ signing: { method: r.method === 'POST' ? 'PUT' : 'POST' } })),
  },
  { name: 'a query altered after signing', code: 'BAD_SIGNATURE', send: (r) => sendWith(r, (s) => ({ target: alteredTarget(s.target) })) },
  {
    name: 'a body altered after signing',
    code: 'BAD_SIGNATURE',
    only: 'body',
    send: (r) => sendWith(r, (s) => ({ body: s.body.replace(/}$/, ', "tampered": true}') })),
  },
  {
    name: 'a body changed by one byte (or added) after signing',
    code: 'BAD_SIGNATURE',
    only: 'not GET',
    send: (r) => sendWith(r, (s) => ({ body: s.body === '' ? '{}' : `${s.body} ` })),
  },
  { name: 'a timestamp 301 s old', code: 'STALE_TIMESTAMP', send: (r) => sendWith(r, (s) => ({ signing: { timestamp: s.timestamp - 301_000 } })) },
  { name: 'a timestamp 301 s ahead', code: 'STALE_TIMESTAMP', send: (r) => sendWith(r, (s) => ({ signing: { timestamp: s.timestamp + 301_000 } })) },
  {
    name: 'a timestamp in seconds, not milliseconds',
    code: 'STALE_TIMESTAMP',
    send: (r) => sendWith(r, (s) => ({ signing: { timestamp: Math.floor(s.timestamp / 1000) } })),
  },
];

const hasBody = (r: SignedRoute) => r.request({ flowCode: 'f', instanceId: 'i', startKey: 'k', delegationId: 'd' }).body !== undefined;
const appliesTo = (c: BadSignatureCase, r: SignedRoute) => (c.only === 'body' ? hasBody(r) : c.only === 'not GET' ? r.method !== 'GET' : true);

describe('the route list', () => {
  it('names every route the API serves (a route missing here fails this test)', () => {
    // Only the route table is read: no handler runs, so the dependencies need not be complete.
    const deps: Partial<ApiDependencies> = { db: stack.database.db, temporal: stack.temporal };
    const api = createApi(deps as ApiDependencies);
    const served = [...new Set(api.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort();
    expect(served).toEqual([...signedRoutes.map(label), ...unsignedRoutes, ...sessionOnlyRoutes, ...pageRoutes].sort());
  });

  it('asks of each route the permission its declaration (and so the OpenAPI document) states, and lets sessions in where it says so', () => {
    const declared = API_ROUTES.map(({ spec }) => [`${spec.method.toUpperCase()} ${honoPath(spec.path)}`, spec.auth, spec.sessions === true]);
    const listed = [
      ...signedRoutes.map((r) => [label(r), r.permission ?? 'signed', r.sessions === true]),
      ...unsignedRoutes.map((r) => [r, 'none', false]),
      ...sessionOnlyRoutes.map((r) => [r, 'session', false]),
    ];
    expect(declared.sort()).toEqual(listed.sort());
  });
});

describe('the "nothing written" check', () => {
  it('sees a write: an accepted action records its nonce, its events and a workflow history event', async () => {
    const route = signedRoutes.find((r) => r.route === '/api/v1/instances/:id/actions');
    if (!route) throw new Error('POST /api/v1/instances/:id/actions is not in signedRoutes');
    const { target, signing } = validRequest(route);
    const raw = JSON.stringify({ type: 'comment', actionId: uid('self-test'), actorId: 'u_a', comment: '自检' });
    const before = await settledState();
    expect((await send('POST', target, headersFor({ ...signing, body: raw }), raw)).status).toBe(200);
    const changed = changes(before, await settledState()).map((c) => c.split(':')[0]);
    expect(changed).toEqual(expect.arrayContaining(['table public.auth_nonces', 'table public.instance_events', `workflow approval`]));
  });
});

describe.each(signedRoutes.map((r) => [label(r), r] as const))('%s', (_label, route) => {
  const cases = badSignatureCases.filter((c) => appliesTo(c, route));

  it.each(cases.map((c) => [c.name, c] as const))('%s → 401, nothing written', async (_name, c) => {
    await expectRejectedWithoutWrites(() => c.send(route), 401, c.code);
  });

  it('a nonce is accepted once; its replay (as sent, or re-signed) → 401 REPLAYED_NONCE, nothing written', async () => {
    const { target, raw, signing } = validRequest(route);
    const first = await send(route.method, target, headersFor(signing), raw);
    if (!(route.answers ?? [200, 201]).includes(first.status)) throw new Error(`the valid request answered ${first.status}: ${JSON.stringify(first.body)}`);
    await settledState();
    await expectRejectedWithoutWrites(() => send(route.method, target, headersFor(signing), raw), 401, 'REPLAYED_NONCE');
    await expectRejectedWithoutWrites(() => send(route.method, target, headersFor({ ...signing, timestamp: Date.now() }), raw), 401, 'REPLAYED_NONCE');
  });

  if (route.permission !== undefined) {
    const permission = route.permission;
    it(`an app without "${permission}" → 403 PERMISSION_DENIED, nothing written (not even the nonce)`, async () => {
      const lacking = await stack.appWith(APP_PERMISSIONS.filter((p) => p !== permission));
      const { target, raw, signing } = validRequest(route);
      await expectRejectedWithoutWrites(
        () => send(route.method, target, headersFor({ ...signing, appKey: lacking.appKey, secret: lacking.secret }), raw),
        403,
        'PERMISSION_DENIED',
      );
    });
  } else {
    it('needs no permission: an app holding none is served', async () => {
      const bare = await stack.appWith([]);
      const { target, raw, signing } = validRequest(route);
      const response = await send(route.method, target, headersFor({ ...signing, appKey: bare.appKey, secret: bare.secret }), raw);
      expect(route.bareAnswers ?? route.answers ?? [200]).toContain(response.status);
    });
  }
});

describe('the signature covers the request target exactly as sent', () => {
  const withQuery = signedRoutes.filter(
    (r) => r.method === 'GET' && (r.request({ flowCode: 'f', instanceId: 'i', startKey: 'k', delegationId: 'd' }).target.split('?')[1] ?? '').includes('&'),
  );

  it('some routes have several query parameters', () => {
    expect(withQuery.map(label)).toEqual(expect.arrayContaining(['GET /api/v1/instances', 'GET /api/v1/tasks']));
  });

  it.each(withQuery.map((r) => [label(r), r] as const))(
    '%s: the same parameters in another order → 401 BAD_SIGNATURE; signed in that order → 200',
    async (_label, route) => {
      const { target, signing } = validRequest(route);
      const [path, query] = target.split('?') as [string, string];
      const reordered = `${path}?${query.split('&').reverse().join('&')}`;
      expect(reordered).not.toBe(target);
      await expectRejectedWithoutWrites(() => send('GET', reordered, headersFor(signing)), 401, 'BAD_SIGNATURE');
      const exact = await send('GET', reordered, headersFor({ ...signing, target: reordered, nonce: uid('nonce') }));
      expect(exact.status).toBe(200);
    },
  );

  it('the path as sent (percent-encoded), not its decoded form', async () => {
    const route = signedRoutes.find((r) => r.route === '/api/v1/instances/:id');
    if (!route) throw new Error('GET /api/v1/instances/:id is not in signedRoutes');
    const { target, signing } = validRequest(route);
    expect(target).toContain('%3A');
    await expectRejectedWithoutWrites(() => send('GET', target, headersFor({ ...signing, target: decodeURIComponent(target) })), 401, 'BAD_SIGNATURE');
    expect((await send('GET', target, headersFor(signing))).status).toBe(200);
  });
});
