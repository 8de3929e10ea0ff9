import { signedHeaders } from '../../protocol/request-signature';
import { authNonces, users } from '../../db/schema';
import { expectOk, seedOrgAndFlow, startBody, uid } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/** SPEC §7 and the "bad input changes nothing" rule, checked over real HTTP. */
let stack: TestStack;
let flowCode: string;
let secret: string;
let appKey: string;

beforeAll(async () => {
  stack = await startTestStack();
  flowCode = await seedOrgAndFlow(stack.api, 'auth', ['u_a']);
  const limited = await stack.appWith(['start', 'act_for', 'sync', 'admin']);
  secret = limited.secret;
  appKey = limited.appKey;
});
afterAll(() => stack?.stop());

async function send(path: string, init: { method?: string; body?: string; headers?: Record<string, string> }) {
  const response = await fetch(stack.baseUrl + path, {
    method: init.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string; details?: unknown } } };
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await stack.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

function signed(path: string, body: string, overrides: Partial<Record<'key' | 'secret' | 'timestamp' | 'nonce' | 'method', string>> = {}) {
  const now = overrides.timestamp ? Number(overrides.timestamp) : Date.now();
  return signedHeaders(
    { appKey: overrides.key ?? appKey, secret: overrides.secret ?? secret },
    { method: overrides.method ?? 'POST', path, body },
    now,
    overrides.nonce,
  );
}

describe('signed requests (SPEC §7)', () => {
  const path = '/api/v1/instances';

  it.each([
    ['no signature headers', () => ({}), 'MISSING_SIGNATURE'],
    ['an unknown app key', (b: string) => signed(path, b, { key: 'no-such-app' }), 'UNKNOWN_APP'],
    ['a wrong secret', (b: string) => signed(path, b, { secret: 'wrong' }), 'BAD_SIGNATURE'],
    ['a signature over another method', (b: string) => signed(path, b, { method: 'PUT' }), 'BAD_SIGNATURE'],
    ['a timestamp 301 s old', (b: string) => signed(path, b, { timestamp: String(Date.now() - 301_000) }), 'STALE_TIMESTAMP'],
    ['a timestamp 301 s ahead', (b: string) => signed(path, b, { timestamp: String(Date.now() + 301_000) }), 'STALE_TIMESTAMP'],
  ])('rejects %s with 401 and starts nothing', async (_name, headersFor, code) => {
    const body = startBody(flowCode);
    const raw = JSON.stringify(body);
    const response = await send(path, { body: raw, headers: headersFor(raw) as Record<string, string> });
    expect(response.status).toBe(401);
    expect(response.body.error?.code).toBe(code);
    expect(await workflowExists(`approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  it('rejects a body changed after signing with 401 BAD_SIGNATURE', async () => {
    const body = startBody(flowCode);
    const headers = signed(path, JSON.stringify(body));
    const tampered = JSON.stringify({ ...body, form: { amount: 1 } });
    const response = await send(path, { body: tampered, headers });
    expect(response.status).toBe(401);
    expect(response.body.error?.code).toBe('BAD_SIGNATURE');
    expect(await workflowExists(`approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  it('signs the query string too', async () => {
    const headers = signed('/api/v1/definitions/' + flowCode, '', { method: 'GET' });
    const withQuery = await send(`/api/v1/definitions/${flowCode}?x=1`, { method: 'GET', headers });
    expect(withQuery.status).toBe(401);
    const exact = await send(`/api/v1/definitions/${flowCode}?x=1`, {
      method: 'GET',
      headers: signed(`/api/v1/definitions/${flowCode}?x=1`, '', { method: 'GET' }),
    });
    expect(exact.status).toBe(200);
  });

  it('accepts a nonce once and rejects its replay with 401 REPLAYED_NONCE', async () => {
    const body = startBody(flowCode);
    const raw = JSON.stringify(body);
    const headers = signed(path, raw);
    expect((await send(path, { body: raw, headers })).status).toBe(201);
    const replay = await send(path, { body: raw, headers });
    expect(replay.status).toBe(401);
    expect(replay.body.error?.code).toBe('REPLAYED_NONCE');
  });

  it('answers 403 when the app lacks the permission, and records nothing — not even the nonce', async () => {
    const starter = await stack.appWith(['start']);
    const nonce = uid('nonce');
    const raw = JSON.stringify({ mode: 'incremental', users: [{ id: 'u_new', name: 'New', deptIds: [] }] });
    const headers = signedHeaders(
      { appKey: starter.appKey, secret: starter.secret },
      { method: 'POST', path: '/api/v1/sync/users', body: raw },
      Date.now(),
      nonce,
    );
    const response = await send('/api/v1/sync/users', { body: raw, headers });
    expect(response.status).toBe(403);
    expect(response.body.error?.code).toBe('PERMISSION_DENIED');
    const userRows = await stack.database.db.select().from(users);
    expect(userRows.map((u) => u.id)).not.toContain('u_new');
    const nonceRows = await stack.database.db.select().from(authNonces);
    expect(nonceRows.map((n) => n.nonce)).not.toContain(nonce);
  });
});

describe('bad input changes nothing', () => {
  const path = '/api/v1/instances';

  it('malformed JSON → 400 MALFORMED_JSON naming the problem', async () => {
    const raw = '{"flowCode": "x", ';
    const response = await send(path, { body: raw, headers: signed(path, raw) });
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('MALFORMED_JSON');
    expect(response.body.error?.message).toMatch(/JSON/);
  });

  it('schema violations → 400 VALIDATION_FAILED naming each field', async () => {
    const body = { ...startBody(flowCode), initiatorId: 42, source: { system: 'erp' } };
    const response = await stack.api.request('POST', path, body);
    expect(response.status).toBe(400);
    const details = (response.body as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
    expect(details).toEqual(expect.arrayContaining(['initiatorId', 'source.type', 'source.id']));
    expect(await workflowExists(`approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  it('a form that breaks the flow’s field types → 400 naming form.FIELD', async () => {
    const body = startBody(flowCode, uid('BK'), { amount: 'lots' });
    const response = await stack.api.request('POST', path, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'form.amount' }] } });
    expect(await workflowExists(`approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  it('unknown flow → 404 FLOW_NOT_FOUND', async () => {
    const body = startBody('no_such_flow');
    const response = await stack.api.request('POST', path, body);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'FLOW_NOT_FOUND' } });
    expect(await workflowExists(`approval:no_such_flow:${body.businessKey}`)).toBe(false);
  });

  it('unknown initiator → 422 UNKNOWN_USER', async () => {
    const body = { ...startBody(flowCode), initiatorId: 'u_nobody' };
    const response = await stack.api.request('POST', path, body);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: { code: 'UNKNOWN_USER' } });
    expect(await workflowExists(`approval:${flowCode}:${body.businessKey}`)).toBe(false);
  });

  it('an unsupported action type → 400 naming "type"', async () => {
    const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', path, startBody(flowCode)), 201);
    const response = await stack.api.request('POST', `/api/v1/instances/${encodeURIComponent(started.instanceId)}/actions`, {
      type: 'explode',
      actionId: 'a1',
      actorId: 'u_a',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'type' }] } });
  });

  it('unknown routes answer in the error shape', async () => {
    const response = await stack.api.request('GET', '/api/v1/nowhere');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('health', () => {
  it('/healthz and /readyz answer without a signature', async () => {
    const health = await fetch(`${stack.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${stack.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });
});
