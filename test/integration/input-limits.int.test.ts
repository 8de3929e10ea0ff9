import { eq } from 'drizzle-orm';
import { BODY_LIMITS } from '../../api/limits';
import { authNonces, flowDefinitions, flowVersions, instances, users } from '../../db/schema';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { MAX_COMMENT_LENGTH, MAX_DEFINITION_NODES, MAX_FORM_BYTES, MAX_FORM_FIELDS, MAX_SIGNERS_PER_ACTION } from '../../engine/limits';
import { signedHeaders } from '../../protocol/request-signature';
import { expectOk, hasPendingTasks, instancePath, oneApprovalFlow, seedOrgAndFlow, startBody, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Limits on what callers may send (README "Limits"): the body size (413), the request rate per app
 * and per session user (429), and the bounds on forms, definitions, signers and comments (400 / 422).
 * Each refused request answers in SPEC §6's error shape and writes nothing: no instance, no
 * definition, no event — and, where it is refused before the handler, no nonce either.
 */

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

interface Credentials {
  appKey: string;
  secret: string;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

/** A signed request as an ERP sends it; `nonce` is returned so the test can look for its row. */
async function signedRequest(stack: TestStack, app: Credentials, method: string, target: string, body?: unknown, nonce = uid('nonce')) {
  const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { ...signedHeaders(app, { method, path: target, body: raw }, Date.now(), nonce), ...(raw ? { 'Content-Type': 'application/json' } : {}) };
  const answer = await answerOf(await fetch(stack.baseUrl + target, { method, headers, ...(raw ? { body: raw } : {}) }));
  return { ...answer, nonce };
}

/** SPEC §6's error shape with this status and code; the message as given. */
function expectError(answer: Answer, status: number, code: string, message: string | RegExp): void {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(answer.body)).toEqual(['error']);
  expect(answer.body.error?.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
}

async function nonceRecorded(stack: TestStack, nonce: string): Promise<boolean> {
  return (await stack.database.db.select().from(authNonces).where(eq(authNonces.nonce, nonce))).length > 0;
}

async function instanceRows(stack: TestStack, businessKey: string): Promise<number> {
  return (await stack.database.db.select().from(instances).where(eq(instances.businessKey, businessKey))).length;
}

async function workflowExists(stack: TestStack, workflowId: string): Promise<boolean> {
  try {
    await stack.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

/** The instance's timeline and its workflow history length: both unchanged by a refused action. */
async function traceOf(stack: TestStack, instanceId: string) {
  const timeline = await expectOk<{ events: unknown[] }>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`));
  const { historyLength } = await stack.temporal.workflow.getHandle(instanceId).describe();
  return { events: timeline.events, historyLength };
}

/** 10,000 users with every field filled and long values: what the org push limit is sized for (5.2 MiB). */
function richUsers(count: number, deptId: string) {
  return Array.from({ length: count }, (_, i) => ({
    id: `u_${String(i).padStart(8, '0')}_employee_id_long`,
    name: `欧阳诸葛长名字员工${i}`,
    mobile: `+86-139${String(i).padStart(8, '0')}`,
    email: `employee.number.${i}@subsidiary.example-corporation.com.cn`,
    deptIds: [deptId, `${deptId}_finance_division`, `${deptId}_procurement`],
    managerId: `u_${String(i + 1).padStart(8, '0')}_employee_id_long`,
    title: '高级采购经理（华东区）',
    roles: ['finance_approver', 'procurement', 'approval_viewer'],
    dingtalkUserId: `manager${String(i).padStart(10, '0')}abcdef`,
    dingtalkUnionId: `iPiiS2abcdefghijklmnopqrstuvwxyz${i}`,
    erpUserId: `ERP-USER-${String(i).padStart(10, '0')}`,
  }));
}

let stack: TestStack;
let app: Credentials;
let flowCode: string;

beforeAll(async () => {
  stack = await startTestStack({ devLogin: true });
  flowCode = await seedOrgAndFlow(stack.api, 'limits', ['u_a']);
  app = await stack.appWith(['start', 'act_for', 'sync', 'admin']);
}, 60_000);
afterAll(() => stack?.stop());

describe('body size (413 PAYLOAD_TOO_LARGE, before the signature check reads the body)', () => {
  const oneMiB = BODY_LIMITS.default;

  it('refuses a signed start over 1 MiB: no nonce, no instance', async () => {
    const body = startBody(flowCode, uid('BK'), { amount: 1, title: 'x'.repeat(oneMiB) });
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/instances', body);
    expectError(answer, 413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than this route accepts: at most 1048576 bytes (1 MiB)');
    expect(answer.body.error?.details).toEqual({ maxBytes: oneMiB });
    // The rest of the body is not read: the connection is not kept for another request.
    expect(answer.headers.get('connection')).toBe('close');
    expect(await nonceRecorded(stack, answer.nonce)).toBe(false);
    expect(await instanceRows(stack, body.businessKey)).toBe(0);
    expect(await workflowExists(stack, `approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  /** Sends `raw` chunked (no Content-Length), 16 KiB at a time. */
  async function sendChunked(raw: string, nonce: string) {
    const headers = { ...signedHeaders(app, { method: 'POST', path: '/api/v1/instances', body: raw }, Date.now(), nonce), 'Content-Type': 'application/json' };
    const bytes = new TextEncoder().encode(raw);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 16 * 1024) controller.enqueue(bytes.subarray(at, at + 16 * 1024));
        controller.close();
      },
    });
    return answerOf(await fetch(`${stack.baseUrl}/api/v1/instances`, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit));
  }

  it('counts a chunked body (no Content-Length) as it arrives', async () => {
    const body = startBody(flowCode, uid('BK'), { amount: 1, title: 'x'.repeat(oneMiB) });
    const nonce = uid('nonce');
    expectError(await sendChunked(JSON.stringify(body), nonce), 413, 'PAYLOAD_TOO_LARGE', /at most 1048576 bytes/);
    expect(await nonceRecorded(stack, nonce)).toBe(false);
    expect(await instanceRows(stack, body.businessKey)).toBe(0);
  });

  it('serves a chunked body under the limit as any other (its signature checked over the bytes received)', async () => {
    // Four chunks: the body is put back together before the signature check hashes it.
    const body = startBody(flowCode, uid('BK'), { amount: 1, title: '分'.repeat(20_000) });
    const answer = await sendChunked(JSON.stringify(body), uid('nonce'));
    expect([answer.status, answer.body.instanceId]).toEqual([201, `approval:${flowCode}:${body.businessKey}`]);
  });

  it('lets a body just under the limit through to the schema (here: the form bound answers instead)', async () => {
    const body = startBody(flowCode, uid('BK'), { amount: 1, title: 'x'.repeat(oneMiB - 1_000) });
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/instances', body);
    expect([answer.status, answer.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('refuses an unsigned route’s body too (免登), and a session route’s before the session is looked at', async () => {
    const big = JSON.stringify({ authCode: 'x'.repeat(oneMiB) });
    const login = await answerOf(
      await fetch(`${stack.baseUrl}/api/v1/auth/dingtalk`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big }),
    );
    expectError(login, 413, 'PAYLOAD_TOO_LARGE', /at most 1048576 bytes/);
    const logout = await answerOf(
      await fetch(`${stack.baseUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { Authorization: 'Bearer nothing', 'Content-Type': 'application/json' },
        body: big,
      }),
    );
    expectError(logout, 413, 'PAYLOAD_TOO_LARGE', /at most 1048576 bytes/);
  });

  it('the org push takes 10,000 users with every field filled (5.2 MiB), which the default limit would refuse', async () => {
    const deptId = uid('d_push');
    const body = { mode: 'incremental', users: richUsers(10_000, deptId) };
    const size = Buffer.byteLength(JSON.stringify(body));
    expect(size).toBeGreaterThan(5 * oneMiB);
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/sync/users', body);
    expect([answer.status, answer.body.upserted]).toEqual([200, 10_000]);
  }, 120_000);

  it('refuses an org push over 16 MiB: no nonce, no user', async () => {
    const many = richUsers(35_000, uid('d_big')).map((u) => ({ ...u, id: `${u.id}_big` }));
    const body = { mode: 'incremental', users: many };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(BODY_LIMITS.orgPush);
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/sync/users', body);
    expectError(answer, 413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than this route accepts: at most 16777216 bytes (16 MiB)');
    expect(await nonceRecorded(stack, answer.nonce)).toBe(false);
    expect(await stack.database.db.select().from(users).where(eq(users.id, many[0]!.id))).toEqual([]);
  }, 60_000);
});

describe('form bounds (400 VALIDATION_FAILED naming `form` and the bound; nothing written, no nonce)', () => {
  const overhead = JSON.stringify({ amount: 1, title: '' }).length;

  it.each<[string, () => Record<string, unknown>, string]>([
    [
      'over 64 KiB as JSON',
      () => ({ amount: 1, title: 'x'.repeat(MAX_FORM_BYTES - overhead + 1) }),
      'is 65537 bytes as JSON; at most 65536 bytes (64 KiB) are allowed',
    ],
    // 22,000 characters, each 3 bytes in UTF-8.
    [
      'over 64 KiB in UTF-8 though not in characters',
      () => ({ amount: 1, title: '金'.repeat(22_000) }),
      `is ${overhead + 66_000} bytes as JSON; at most 65536 bytes (64 KiB) are allowed`,
    ],
    [
      `with more than ${MAX_FORM_FIELDS} fields`,
      () => ({ amount: 1, ...Object.fromEntries(Array.from({ length: MAX_FORM_FIELDS }, (_, i) => [`extra${i}`, i])) }),
      'has 201 fields; at most 200 are allowed',
    ],
  ])('a start with a form %s', async (_name, form, message) => {
    const body = startBody(flowCode, uid('BK'), form());
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/instances', body);
    expectError(answer, 400, 'VALIDATION_FAILED', `form: ${message}`);
    expect(answer.body.error?.details).toEqual([{ field: 'form', message }]);
    expect(await nonceRecorded(stack, answer.nonce)).toBe(false);
    expect(await instanceRows(stack, body.businessKey)).toBe(0);
    expect(await workflowExists(stack, `approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  it('a form at the bound starts', async () => {
    const body = startBody(flowCode, uid('BK'), { amount: 1, title: 'x'.repeat(MAX_FORM_BYTES - overhead) });
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/instances', body);
    expect(answer.status).toBe(201);
  });

  it('a route preview with a form over the bound', async () => {
    const answer = await signedRequest(stack, app, 'POST', `/api/v1/definitions/${flowCode}/preview`, {
      initiatorId: 'u_initiator',
      form: { amount: 1, title: 'x'.repeat(MAX_FORM_BYTES) },
    });
    expectError(answer, 400, 'VALIDATION_FAILED', /^form: is \d+ bytes as JSON; at most 65536 bytes/);
    expect(await nonceRecorded(stack, answer.nonce)).toBe(false);
  });
});

describe('definition bounds (422 INVALID_DEFINITION, SPEC §6: nothing saved, no version)', () => {
  async function expectNotSaved(code: string) {
    expect(await stack.database.db.select().from(flowDefinitions).where(eq(flowDefinitions.code, code))).toEqual([]);
    expect(await stack.database.db.select().from(flowVersions).where(eq(flowVersions.code, code))).toEqual([]);
  }

  /** start → `approvals` approval nodes in a line → end. */
  const chain = (code: string, approvals: number): FlowDefinition => ({
    code,
    name: 'A long line',
    form: { fields: [] },
    nodes: [
      { id: 'start', type: 'start', next: 'a0' },
      ...Array.from({ length: approvals }, (_, i): FlowDefinition['nodes'][number] => ({
        id: `a${i}`,
        type: 'approval',
        approvers: { type: 'users', ids: ['u_a'] },
        mode: 'any',
        next: i + 1 < approvals ? `a${i + 1}` : 'end',
      })),
      { id: 'end', type: 'end' },
    ],
  });

  it(`more than ${MAX_DEFINITION_NODES} nodes`, async () => {
    const code = uid('too_many_nodes').toLowerCase();
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/definitions', chain(code, MAX_DEFINITION_NODES - 1));
    expectError(answer, 422, 'INVALID_DEFINITION', 'the definition has 1 problem(s)');
    expect(answer.body.error?.details).toEqual([{ nodeId: null, field: 'nodes', message: 'has 201 nodes; at most 200 are allowed' }]);
    await expectNotSaved(code);
    // One node fewer is saved and published.
    const atTheBound = chain(code, MAX_DEFINITION_NODES - 2);
    expect(atTheBound.nodes).toHaveLength(MAX_DEFINITION_NODES);
    expect((await signedRequest(stack, app, 'POST', '/api/v1/definitions', atTheBound)).status).toBe(201);
    expect((await signedRequest(stack, app, 'POST', `/api/v1/definitions/${code}/publish`)).status).toBe(201);
  });

  it(`more than ${MAX_FORM_FIELDS} form fields`, async () => {
    const code = uid('too_many_fields').toLowerCase();
    const definition = {
      ...oneApprovalFlow(code, ['u_a']),
      form: { fields: Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => ({ key: `f${i}`, type: 'string' as const })) },
    };
    const answer = await signedRequest(stack, app, 'POST', '/api/v1/definitions', definition);
    expectError(answer, 422, 'INVALID_DEFINITION', 'the definition has 1 problem(s)');
    expect(answer.body.error?.details).toEqual([{ nodeId: null, field: 'form.fields', message: 'has 201 fields; at most 200 are allowed' }]);
    await expectNotSaved(code);
  });
});

describe('action bounds (400 VALIDATION_FAILED naming the field and the bound; the timeline and the history unchanged)', () => {
  let instanceId: string;
  let sessionToken: string;

  beforeAll(async () => {
    const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
    instanceId = started.instanceId;
    await waitForView(stack.api, instanceId, hasPendingTasks);
    const login = await fetch(`${stack.baseUrl}/api/v1/auth/dev-login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'u_a' }),
    });
    sessionToken = ((await login.json()) as { token: string }).token;
  });

  const signers = (n: number) => Array.from({ length: n }, (_, i) => `u_signer_${i}`);
  const tooLong = 'x'.repeat(MAX_COMMENT_LENGTH + 1);

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'add_signer',
      { type: 'add_signer', signers: signers(MAX_SIGNERS_PER_ACTION + 1), position: 'parallel' },
      'signers',
      'names 21 signers; at most 20 per action',
    ],
    ['remove_signer', { type: 'remove_signer', signers: signers(MAX_SIGNERS_PER_ACTION + 1) }, 'signers', 'names 21 signers; at most 20 per action'],
    ['comment', { type: 'comment', comment: tooLong }, 'comment', 'must be at most 2000 characters'],
    ['approve with a comment', { type: 'approve', comment: tooLong }, 'comment', 'must be at most 2000 characters'],
    ['reject with a comment', { type: 'reject', comment: tooLong }, 'comment', 'must be at most 2000 characters'],
    ['transfer with a comment', { type: 'transfer', toUserId: 'u_b', comment: tooLong }, 'comment', 'must be at most 2000 characters'],
    ['return with a comment', { type: 'return', targetNodeId: 'start', comment: tooLong }, 'comment', 'must be at most 2000 characters'],
    [
      'resubmit with a form over 64 KiB',
      { type: 'resubmit', form: { amount: 1, title: 'x'.repeat(MAX_FORM_BYTES) } },
      'form',
      `is ${JSON.stringify({ amount: 1, title: 'x'.repeat(MAX_FORM_BYTES) }).length} bytes as JSON; at most 65536 bytes (64 KiB) are allowed`,
    ],
  ])('%s, from an app', async (_name, action, field, message) => {
    const before = await traceOf(stack, instanceId);
    const answer = await signedRequest(stack, app, 'POST', `${instancePath(instanceId)}/actions`, { actionId: uid('act'), actorId: 'u_a', ...action });
    expectError(answer, 400, 'VALIDATION_FAILED', `${field}: ${message}`);
    expect(answer.body.error?.details).toEqual([{ field, message }]);
    expect(await nonceRecorded(stack, answer.nonce)).toBe(false);
    expect(await traceOf(stack, instanceId)).toEqual(before);
  });

  it('the same bounds for a user’s session (the H5 app): a comment over 2000 characters, 21 signers', async () => {
    const before = await traceOf(stack, instanceId);
    for (const [action, field] of [
      [{ type: 'approve', comment: tooLong }, 'comment'],
      [{ type: 'add_signer', signers: signers(21), position: 'before' }, 'signers'],
    ] as const) {
      const response = await fetch(`${stack.baseUrl}${instancePath(instanceId)}/actions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sessionToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ actionId: uid('act'), ...action }),
      });
      const answer = await answerOf(response);
      expectError(answer, 400, 'VALIDATION_FAILED', new RegExp(`^${field}: `));
    }
    expect(await traceOf(stack, instanceId)).toEqual(before);
  });

  it('at the bounds the actions go through: a 2000-character comment', async () => {
    const view = await expectOk<InstanceView>(
      stack.api.request('POST', `${instancePath(instanceId)}/actions`, {
        type: 'comment',
        actionId: uid('act'),
        actorId: 'u_a',
        comment: 'y'.repeat(MAX_COMMENT_LENGTH),
      }),
    );
    expect(view.status).toBe('running');
  });
});

describe('request rate (429 RATE_LIMITED with Retry-After; a refused request writes nothing, its nonce included)', () => {
  let limited: TestStack;
  const burst = 3;

  beforeAll(async () => {
    // A token every 100 s: within a test the bucket refills by nothing measurable.
    limited = await startTestStack({ devLogin: true, rateLimits: { perApp: { perSecond: 0.01, burst }, perUser: { perSecond: 0.01, burst } } });
    await expectOk(limited.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: [{ id: 'u_rated', name: '限流用户', deptIds: ['d1'] }] }));
  }, 60_000);
  afterAll(() => limited?.stop());

  const read = (creds: Credentials) => signedRequest(limited, creds, 'GET', '/api/v1/tasks?assignee=u_rated&status=pending');

  it('lets an app through for its burst, then answers 429 with Retry-After in whole seconds; the refused start writes nothing', async () => {
    const erp = await limited.appWith(['start']);
    for (let i = 0; i < burst; i += 1) expect((await read(erp)).status).toBe(200);
    const body = startBody('any_flow');
    const refused = await signedRequest(limited, erp, 'POST', '/api/v1/instances', body);
    // The next token is about 100 s away (less the little the bucket refilled since it was full).
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 90 && retryAfter <= 100).toBe(true);
    expectError(refused, 429, 'RATE_LIMITED', `app "${erp.appKey}" sent more than 0.01 requests a second (bursts up to 3); retry after ${retryAfter} s`);
    expect(refused.body.error?.details).toEqual({ retryAfterSeconds: retryAfter, perSecond: 0.01, burst });
    expect(await nonceRecorded(limited, refused.nonce)).toBe(false);
    expect(await instanceRows(limited, body.businessKey)).toBe(0);
  });

  it('counts each app on its own: another app is served while one is limited', async () => {
    const [one, other] = [await limited.appWith([]), await limited.appWith([])];
    for (let i = 0; i < burst; i += 1) await read(one);
    expect((await read(one)).status).toBe(429);
    expect((await read(other)).status).toBe(200);
  });

  it('a forged request (bad signature) or a replayed nonce spends none of a real app’s budget', async () => {
    const victim = await limited.appWith([]);
    for (let i = 0; i < 5; i += 1) {
      const forged = await read({ appKey: victim.appKey, secret: 'not-the-secret' });
      expect(forged.body.error?.code).toBe('BAD_SIGNATURE');
    }
    const first = await read(victim);
    expect(first.status).toBe(200);
    for (let i = 0; i < 5; i += 1) {
      const replay = await signedRequest(limited, victim, 'GET', '/api/v1/tasks?assignee=u_rated&status=pending', undefined, first.nonce);
      expect(replay.body.error?.code).toBe('REPLAYED_NONCE');
    }
    // The burst is still whole but for the one real request.
    expect([(await read(victim)).status, (await read(victim)).status, (await read(victim)).status]).toEqual([200, 200, 429]);
  });

  it('limits a session’s user on its own bucket', async () => {
    const login = await fetch(`${limited.baseUrl}/api/v1/auth/dev-login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'u_rated' }),
    });
    const { token } = (await login.json()) as { token: string };
    const me = () => fetch(`${limited.baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } }).then(answerOf);
    for (let i = 0; i < burst; i += 1) expect((await me()).status).toBe(200);
    const refused = await me();
    expectError(refused, 429, 'RATE_LIMITED', /^user "u_rated" sent more than 0.01 requests a second \(bursts up to 3\); retry after \d+ s$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('does not limit the unsigned routes (health, the docs)', async () => {
    for (let i = 0; i < burst * 3; i += 1) expect((await fetch(`${limited.baseUrl}/healthz`)).status).toBe(200);
  });
});
