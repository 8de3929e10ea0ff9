import { signedHeaders } from '../../protocol/request-signature';
import { createErpSandbox, startErpSandbox, type ErpSandboxOptions, type RunningErpSandbox } from './erp-sandbox';
import type { FailureMode } from './failure-modes';

const APP = { appKey: 'approval-center', secret: 'webhook-secret' };
const running: RunningErpSandbox[] = [];

async function start(options: Partial<ErpSandboxOptions> = {}): Promise<RunningErpSandbox> {
  const sandbox = await startErpSandbox({ webhookApps: { [APP.appKey]: APP.secret }, ...options });
  running.push(sandbox);
  return sandbox;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function taskEvent(eventId: string, overrides: { assigneeId?: string; status?: string } = {}) {
  return {
    eventId,
    type: 'approval.task.created',
    occurredAt: new Date().toISOString(),
    instance: {
      instanceId: 'approval:po:PO-1',
      flowCode: 'po',
      flowVersion: 1,
      businessKey: 'PO-1',
      status: overrides.status ?? 'running',
      source: { system: 'erp', type: 'purchase_order', id: 'PO-1' },
      form: { amount: 12_000 },
    },
    task: { taskId: 'task-1', nodeId: 'manager', assigneeId: overrides.assigneeId ?? 'u-manager', status: 'pending' },
  };
}

interface WebhookOptions {
  path?: string;
  /** The target that is signed, when it should differ from `path`. */
  signedPath?: string;
  credentials?: { appKey: string; secret: string };
  now?: number;
  nonce?: string;
  eventIdHeader?: string;
}

async function sendWebhook(sandbox: RunningErpSandbox, event: object, options: WebhookOptions = {}): Promise<Response> {
  const path = options.path ?? '/webhooks/approval';
  const body = JSON.stringify(event);
  const eventId = options.eventIdHeader ?? (event as { eventId: string }).eventId;
  const headers = signedHeaders(options.credentials ?? APP, { method: 'POST', path: options.signedPath ?? path, body }, options.now, options.nonce);
  return fetch(sandbox.url + path, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json', 'x-event-id': eventId } });
}

async function call(
  sandbox: RunningErpSandbox,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(sandbox.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

const reserve = (sandbox: RunningErpSandbox, key: string, body: object, headers: Record<string, string> = {}) =>
  call(sandbox, 'POST', '/budget/reserve', body, { 'idempotency-key': key, ...headers });
const release = (sandbox: RunningErpSandbox, key: string, body: object) => call(sandbox, 'POST', '/budget/release', body, { 'idempotency-key': key });
const setFailure = (sandbox: RunningErpSandbox, body: unknown) => call(sandbox, 'POST', '/control/failures', body);

describe('webhooks', () => {
  it('records a valid event once and counts repeated deliveries', async () => {
    const sandbox = await start();
    const first = await sendWebhook(sandbox, taskEvent('evt-1'));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, eventId: 'evt-1', duplicate: false });
    const again = await sendWebhook(sandbox, taskEvent('evt-1'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });

    const events = sandbox.state.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventId: 'evt-1', type: 'approval.task.created', deliveries: 2, appKey: APP.appKey, path: '/webhooks/approval' });
    expect(events[0]?.body.task?.assigneeId).toBe('u-manager');
    expect(sandbox.state.rejected()).toEqual([]);
  });

  it.each([
    ['a bad signature', { credentials: { appKey: APP.appKey, secret: 'wrong' } }, 'BAD_SIGNATURE'],
    ['an unknown app', { credentials: { appKey: 'stranger', secret: APP.secret } }, 'UNKNOWN_APP'],
    ['a stale timestamp', { now: Date.now() - 301_000 }, 'STALE_TIMESTAMP'],
    ['a future timestamp', { now: Date.now() + 301_000 }, 'STALE_TIMESTAMP'],
    ['an X-Event-Id that differs from the body', { eventIdHeader: 'evt-other' }, 'EVENT_ID_MISMATCH'],
    ['a signature over another path', { path: '/webhooks/approval?tenant=a', signedPath: '/webhooks/approval' }, 'BAD_SIGNATURE'],
  ] as Array<[string, WebhookOptions, string]>)('rejects %s with 401 and records no event', async (_label, options, code) => {
    const sandbox = await start();
    const response = await sendWebhook(sandbox, taskEvent('evt-1'), options);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(sandbox.state.events()).toEqual([]);
    expect(sandbox.state.rejected()).toEqual([expect.objectContaining({ code, path: options.path ?? '/webhooks/approval', reason: expect.any(String) })]);
  });

  it('rejects a replayed nonce', async () => {
    const sandbox = await start();
    const now = Date.now();
    expect((await sendWebhook(sandbox, taskEvent('evt-1'), { now, nonce: 'n-1' })).status).toBe(200);
    const replay = await sendWebhook(sandbox, taskEvent('evt-1'), { now, nonce: 'n-1' });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: { code: 'REPLAYED_NONCE' } });
    expect(sandbox.state.events()).toEqual([expect.objectContaining({ eventId: 'evt-1', deliveries: 1 })]);
  });

  it('rejects unsigned requests and bodies that break the SPEC §8 shape', async () => {
    const sandbox = await start();
    const unsigned = await fetch(`${sandbox.url}/webhooks/approval`, {
      method: 'POST',
      body: JSON.stringify(taskEvent('evt-1')),
      headers: { 'x-event-id': 'evt-1' },
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: { code: 'MISSING_SIGNATURE' } });
    const { task: _task, ...withoutTask } = taskEvent('evt-2');
    const invalid = await sendWebhook(sandbox, withoutTask);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'INVALID_EVENT', message: expect.stringContaining('task') } });
    expect(sandbox.state.events()).toEqual([]);
    expect(sandbox.state.rejected().map((r) => r.code)).toEqual(['MISSING_SIGNATURE', 'INVALID_EVENT']);
  });

  it('verifies a signature over the path with its query string, as received', async () => {
    const sandbox = await start();
    const path = '/webhooks/approval?tenant=acme&ref=a%2Fb';
    const response = await sendWebhook(sandbox, taskEvent('evt-q'), { path });
    expect(response.status).toBe(200);
    expect(sandbox.state.events()[0]?.path).toBe(path);
  });

  it('accepts apps trusted later, and events carrying the trail', async () => {
    const sandbox = await start();
    const later = { appKey: 'second-app', secret: 'second-secret' };
    expect((await sendWebhook(sandbox, taskEvent('evt-1'), { credentials: later })).status).toBe(401);
    sandbox.state.trustApp(later.appKey, later.secret);
    const { task: _task, ...base } = taskEvent('evt-done');
    const completed = {
      ...base,
      type: 'approval.completed',
      instance: { ...base.instance, status: 'approved' },
      trail: [{ nodeId: 'manager', actorId: 'u-manager', action: 'approve', at: new Date().toISOString(), comment: 'ok' }],
    };
    expect((await sendWebhook(sandbox, completed, { credentials: later })).status).toBe(200);
    expect(sandbox.state.events()).toEqual([expect.objectContaining({ eventId: 'evt-done', type: 'approval.completed', appKey: 'second-app' })]);
  });

  it('falls back to the request URL for the signed target when served in-process', async () => {
    const { app, state } = createErpSandbox({ webhookApps: { [APP.appKey]: APP.secret } });
    const path = '/webhooks/approval?x=1';
    const body = JSON.stringify(taskEvent('evt-local'));
    const headers = { ...signedHeaders(APP, { method: 'POST', path, body }), 'x-event-id': 'evt-local' };
    const response = await app.request(path, { method: 'POST', body, headers });
    expect(response.status).toBe(200);
    expect(state.events()).toHaveLength(1);
  });

  it('lets tests wait for an event', async () => {
    const sandbox = await start();
    const waiting = sandbox.state.waitForEvent((e) => e.eventId === 'evt-w', 2_000);
    await sendWebhook(sandbox, taskEvent('evt-w'));
    await expect(waiting).resolves.toMatchObject({ eventId: 'evt-w' });
    await expect(sandbox.state.waitForEvent((e) => e.eventId === 'never', 50)).rejects.toThrow(/no matching webhook event/);
  });
});

describe('budget operations', () => {
  it('reserves once per Idempotency-Key and answers repeats with the first response', async () => {
    const sandbox = await start({ budget: 50_000 });
    const first = await reserve(sandbox, 'approval:po:PO-1:budget:call', { businessKey: 'PO-1', amount: 12_000, instanceId: 'approval:po:PO-1' });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ reservationId: expect.any(String), businessKey: 'PO-1', amount: 12_000, status: 'reserved' });
    const repeat = await reserve(sandbox, 'approval:po:PO-1:budget:call', { businessKey: 'PO-1', amount: 12_000 });
    expect(repeat.status).toBe(201);
    expect(repeat.json).toEqual(first.json);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');

    expect(sandbox.state.budget()).toMatchObject({ total: 50_000, remaining: 38_000 });
    expect(sandbox.state.operations()).toEqual([
      expect.objectContaining({
        operation: 'reserve_budget',
        idempotencyKey: 'approval:po:PO-1:budget:call',
        requests: 2,
        response: { status: 201, body: first.json },
      }),
    ]);
  });

  it('accepts an amount sent as a numeric string', async () => {
    const sandbox = await start();
    const response = await reserve(sandbox, 'k', { businessKey: 'PO-1', amount: '250.5' });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ amount: 250.5 });
  });

  it('releases what a business key holds, once per key, and 0 when nothing was reserved', async () => {
    const sandbox = await start();
    await reserve(sandbox, 'r-1', { businessKey: 'PO-1', amount: 1_000 });
    const released = await release(sandbox, 'c-1', { businessKey: 'PO-1' });
    expect(released).toMatchObject({ status: 200, json: { businessKey: 'PO-1', released: 1_000, status: 'released' } });
    const repeat = await release(sandbox, 'c-1', { businessKey: 'PO-1' });
    expect(repeat.json).toEqual(released.json);
    expect(sandbox.state.budget().remaining).toBe(1_000_000);

    const never = await release(sandbox, 'c-2', { businessKey: 'PO-never-reserved' });
    expect(never).toMatchObject({ status: 200, json: { businessKey: 'PO-never-reserved', released: 0, status: 'released' } });
    expect(sandbox.state.operations().map((o) => [o.operation, o.idempotencyKey, o.requests])).toEqual([
      ['reserve_budget', 'r-1', 1],
      ['release_budget', 'c-1', 2],
      ['release_budget', 'c-2', 1],
    ]);
  });

  it('answers 422 INSUFFICIENT_BUDGET past the remaining budget', async () => {
    const sandbox = await start({ budget: 10_000 });
    expect((await reserve(sandbox, 'a', { businessKey: 'PO-1', amount: 6_000 })).status).toBe(201);
    const over = await reserve(sandbox, 'b', { businessKey: 'PO-2', amount: 6_000 });
    expect(over).toMatchObject({ status: 422, json: { error: { code: 'INSUFFICIENT_BUDGET' } } });
    expect(sandbox.state.budget().remaining).toBe(4_000);
  });

  it('requires an Idempotency-Key and a valid body, and records neither failure as an operation', async () => {
    const sandbox = await start();
    const noKey = await call(sandbox, 'POST', '/budget/reserve', { businessKey: 'PO-1', amount: 1 });
    expect(noKey).toMatchObject({ status: 400, json: { error: { code: 'MISSING_IDEMPOTENCY_KEY' } } });
    const badBody = await reserve(sandbox, 'k', { businessKey: 'PO-1', amount: -5 });
    expect(badBody).toMatchObject({ status: 400, json: { error: { code: 'INVALID_BODY', message: expect.stringContaining('amount') } } });
    const malformed = await call(sandbox, 'POST', '/budget/release', '{"businessKey":', { 'idempotency-key': 'k2' });
    expect(malformed).toMatchObject({ status: 400, json: { error: { code: 'INVALID_JSON' } } });
    expect(sandbox.state.operations()).toEqual([]);
    // The key of a refused body is still free for a correct request.
    expect((await reserve(sandbox, 'k', { businessKey: 'PO-1', amount: 5 })).status).toBe(201);
  });
});

describe('inbound auth', () => {
  it('hmac: requires the §7 signature of the configured app', async () => {
    const credentials = { appKey: 'center-to-erp', secret: 'ops-secret' };
    const sandbox = await start({ inboundAuth: { type: 'hmac', ...credentials } });
    const path = '/budget/reserve?source=approval';
    const body = { businessKey: 'PO-1', amount: 10 };
    const signed = (c: { appKey: string; secret: string }) => signedHeaders(c, { method: 'POST', path, body: JSON.stringify(body) });

    expect(await call(sandbox, 'POST', path, body, { 'idempotency-key': 'k' })).toMatchObject({ status: 401, json: { error: { code: 'MISSING_SIGNATURE' } } });
    expect(await call(sandbox, 'POST', path, body, { 'idempotency-key': 'k', ...signed({ ...credentials, secret: 'nope' }) })).toMatchObject({
      status: 401,
      json: { error: { code: 'BAD_SIGNATURE' } },
    });
    expect(await call(sandbox, 'POST', path, body, { 'idempotency-key': 'k', ...signed({ appKey: APP.appKey, secret: APP.secret }) })).toMatchObject({
      status: 401,
      json: { error: { code: 'UNKNOWN_APP' } },
    });
    expect(sandbox.state.operations()).toEqual([]);
    expect((await call(sandbox, 'POST', path, body, { 'idempotency-key': 'k', ...signed(credentials) })).status).toBe(201);
    expect(sandbox.state.operations()).toHaveLength(1);
    expect(sandbox.state.rejected().map((r) => r.code)).toEqual(['MISSING_SIGNATURE', 'BAD_SIGNATURE', 'UNKNOWN_APP']);
  });

  it('bearer: requires the configured token', async () => {
    const sandbox = await start({ inboundAuth: { type: 'bearer', token: 'tok-123' } });
    const body = { businessKey: 'PO-1', amount: 10 };
    expect(await reserve(sandbox, 'k', body)).toMatchObject({ status: 401, json: { error: { code: 'MISSING_TOKEN' } } });
    expect(await reserve(sandbox, 'k', body, { authorization: 'Bearer tok-1234' })).toMatchObject({ status: 401, json: { error: { code: 'BAD_TOKEN' } } });
    expect((await reserve(sandbox, 'k', body, { authorization: 'Bearer tok-123' })).status).toBe(201);
    expect(sandbox.state.operations()).toHaveLength(1);
  });
});

describe('write-back', () => {
  it.each(['POST', 'PUT', 'PATCH'])('records a %s once per Idempotency-Key with the document type and id', async (method) => {
    const sandbox = await start();
    const path = '/documents/purchase_order/PO-1/approval-result';
    const body = { status: 'approved', instanceId: 'approval:po:PO-1' };
    const first = await call(sandbox, method, path, body, { 'idempotency-key': 'approval:po:PO-1:writeBack' });
    expect(first).toMatchObject({ status: 200, json: { documentType: 'purchase_order', documentId: 'PO-1', status: 'recorded' } });
    await call(sandbox, method, path, body, { 'idempotency-key': 'approval:po:PO-1:writeBack' });
    expect(sandbox.state.operations()).toEqual([
      expect.objectContaining({ operation: 'write_back', method, document: { type: 'purchase_order', id: 'PO-1' }, body, requests: 2 }),
    ]);
  });

  it('accepts a write-back without a body', async () => {
    const sandbox = await start();
    const response = await call(sandbox, 'POST', '/documents/expense/E-9/approval-result', undefined, { 'idempotency-key': 'k' });
    expect(response.status).toBe(200);
    expect(sandbox.state.operations()[0]).toMatchObject({ body: null, document: { type: 'expense', id: 'E-9' } });
  });
});

describe('failure modes', () => {
  it.each([
    ['5xx', 503, 'SANDBOX_UNAVAILABLE'],
    ['4xx', 422, 'SANDBOX_REJECTED'],
    ['408', 408, 'REQUEST_TIMEOUT'],
    ['429', 429, 'RATE_LIMITED'],
  ] as const)('%s answers %i and applies nothing', async (mode, status, code) => {
    const sandbox = await start();
    const modes = await setFailure(sandbox, { target: 'reserve_budget', mode });
    expect(modes).toMatchObject({ status: 200, json: { failures: { reserve_budget: { mode, remaining: null } } } });
    const failed = await reserve(sandbox, 'k', { businessKey: 'PO-1', amount: 10 });
    expect(failed).toMatchObject({ status, json: { error: { code } } });
    if (mode === '429') expect(failed.headers.get('retry-after')).toBe('1');
    expect(sandbox.state.operations()).toEqual([]);
    expect(sandbox.state.budget().remaining).toBe(1_000_000);
    expect(sandbox.state.failures().reserve_budget.failedRequests).toBe(1);
    // Other targets are unaffected.
    expect((await release(sandbox, 'c', { businessKey: 'PO-1' })).status).toBe(200);
  });

  it('`times` fails the next N requests, then a retry is recorded exactly once', async () => {
    const sandbox = await start();
    await setFailure(sandbox, { target: 'webhooks', mode: '5xx', times: 2 });
    expect(sandbox.state.failures().webhooks).toMatchObject({ mode: '5xx', remaining: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await sendWebhook(sandbox, taskEvent('evt-r'))).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(sandbox.state.events()).toEqual([expect.objectContaining({ eventId: 'evt-r', deliveries: 1 })]);
    expect(sandbox.state.failures().webhooks).toMatchObject({ mode: 'ok', remaining: null, failedRequests: 2 });
    expect(sandbox.state.rejected()).toEqual([]);
  });

  it('without `times` a mode holds until switched back to ok', async () => {
    const sandbox = await start();
    sandbox.state.setFailure({ target: 'write_back', mode: '429' });
    const path = '/documents/po/PO-1/approval-result';
    for (let i = 0; i < 3; i += 1) expect((await call(sandbox, 'PUT', path, { status: 'approved' }, { 'idempotency-key': 'wb' })).status).toBe(429);
    await setFailure(sandbox, { target: 'write_back', mode: 'ok' });
    expect((await call(sandbox, 'PUT', path, { status: 'approved' }, { 'idempotency-key': 'wb' })).status).toBe(200);
    expect(sandbox.state.operations()).toEqual([expect.objectContaining({ operation: 'write_back', requests: 1 })]);
    expect(sandbox.state.failures().write_back.failedRequests).toBe(3);
  });

  it('slow waits delayMs, then handles the request normally', async () => {
    const sandbox = await start();
    await setFailure(sandbox, { target: 'release_budget', mode: 'slow', delayMs: 200, times: 1 });
    const startedAt = Date.now();
    const slow = await release(sandbox, 'c-1', { businessKey: 'PO-1' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
    expect(slow.status).toBe(200);
    expect(sandbox.state.operations()).toHaveLength(1);
    expect(sandbox.state.failures().release_budget).toMatchObject({ mode: 'ok', delayedRequests: 1, failedRequests: 0 });
    const fastStartedAt = Date.now();
    await release(sandbox, 'c-2', { businessKey: 'PO-1' });
    expect(Date.now() - fastStartedAt).toBeLessThan(190);
  });

  it.each([
    ['an unknown target', { target: 'dingtalk', mode: '5xx' }],
    ['an unknown mode', { target: 'webhooks', mode: '500' }],
    ['times 0', { target: 'webhooks', mode: '5xx', times: 0 }],
    ['a fractional times', { target: 'webhooks', mode: '5xx', times: 1.5 }],
    ['a negative delay', { target: 'webhooks', mode: 'slow', delayMs: -1 }],
    ['delayMs without slow', { target: 'webhooks', mode: '5xx', delayMs: 10 }],
    ['an unknown field', { target: 'webhooks', mode: '5xx', count: 2 }],
    ['malformed JSON', '{"target":'],
  ])('control rejects %s with 400', async (_label, body) => {
    const sandbox = await start();
    const response = await setFailure(sandbox, body);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: expect.stringMatching(/^INVALID_/), message: expect.any(String) } });
    expect(Object.values(sandbox.state.failures()).map((s) => s.mode)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('state.setFailure validates like the endpoint', async () => {
    const sandbox = await start();
    expect(() => sandbox.state.setFailure({ target: 'webhooks', mode: 'down' as FailureMode })).toThrow();
  });
});

describe('inspection and reset', () => {
  it('GET /api/received answers everything recorded', async () => {
    const sandbox = await start();
    await sendWebhook(sandbox, taskEvent('evt-1'));
    await sendWebhook(sandbox, taskEvent('evt-2'), { credentials: { appKey: APP.appKey, secret: 'bad' } });
    await reserve(sandbox, 'k', { businessKey: 'PO-1', amount: 100 });
    const { status, json } = await call(sandbox, 'GET', '/api/received', undefined);
    expect(status).toBe(200);
    expect(json).toEqual({
      events: [
        expect.objectContaining({
          eventId: 'evt-1',
          type: 'approval.task.created',
          body: expect.objectContaining({ eventId: 'evt-1', task: expect.any(Object) }),
          receivedAt: expect.any(String),
          deliveries: 1,
        }),
      ],
      rejected: [expect.objectContaining({ at: expect.any(String), reason: expect.any(String), path: '/webhooks/approval', code: 'BAD_SIGNATURE' })],
      operations: [
        expect.objectContaining({
          operation: 'reserve_budget',
          idempotencyKey: 'k',
          body: { businessKey: 'PO-1', amount: 100 },
          response: expect.objectContaining({ status: 201 }),
          appliedAt: expect.any(String),
          requests: 1,
        }),
      ],
      budget: expect.objectContaining({ total: 1_000_000, remaining: 999_900 }),
      failures: expect.objectContaining({ webhooks: expect.objectContaining({ mode: 'ok' }) }),
    });
  });

  it('POST /control/reset clears what was received, the ledger and the failure modes', async () => {
    const sandbox = await start();
    await sendWebhook(sandbox, taskEvent('evt-1'));
    await reserve(sandbox, 'k', { businessKey: 'PO-1', amount: 100 });
    sandbox.state.setFailure({ target: 'webhooks', mode: '5xx' });
    expect((await call(sandbox, 'POST', '/control/reset', undefined)).status).toBe(200);
    expect(sandbox.state.snapshot()).toMatchObject({ events: [], rejected: [], operations: [], budget: { remaining: 1_000_000, reservations: [] } });
    expect(sandbox.state.failures().webhooks.mode).toBe('ok');
    // Trusted apps stay.
    expect((await sendWebhook(sandbox, taskEvent('evt-1'))).status).toBe(200);
  });

  it('the HTML page lists events with everything escaped, and refreshes itself', async () => {
    const sandbox = await start();
    await sendWebhook(sandbox, taskEvent('evt-<b>1</b>', { assigneeId: '<img src=x onerror=alert(1)>', status: 'running"&' }));
    await call(sandbox, 'POST', '/documents/po/<script>/approval-result', { note: '<script>alert(1)</script>' }, { 'idempotency-key': 'wb-<i>' });
    const response = await fetch(`${sandbox.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(html).toContain('evt-&lt;b&gt;1&lt;/b&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('running&quot;&amp;');
    expect(html).toContain('wb-&lt;i&gt;');
    expect(html).not.toMatch(/<img|<script|<b>|<i>/);
    expect(html).toContain('approval.task.created');
    expect(html).not.toMatch(/(src|href)="?https?:/);
  });
});
