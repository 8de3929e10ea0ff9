import { linesLoggedBy } from '../test/support/log-capture';
import { createApi } from './app';
import type { ApiDependencies } from './context';
import { acceptedRequestId } from './request-context';

/** Routes that answer without the database or Temporal. */
const deps = { config: { taskQueue: 'approvals' } } as ApiDependencies;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request context', () => {
  it('keeps a printable request id of at most 128 characters, and makes a new one for anything else', () => {
    expect(acceptedRequestId('PO-4711/approve#1')).toBe('PO-4711/approve#1');
    expect(acceptedRequestId('x'.repeat(128))).toBe('x'.repeat(128));
    for (const refused of [undefined, '', 'x'.repeat(129), 'two words', 'tab\there', '审批']) expect(acceptedRequestId(refused)).toMatch(UUID);
  });

  it('answers the request id on every answer: a route, a refusal, an unknown path', async () => {
    const api = createApi(deps);
    expect((await api.request('/healthz', { headers: { 'X-Request-Id': 'probe-1' } })).headers.get('X-Request-Id')).toBe('probe-1');
    const refused = await api.request('/api/v1/instances/approval:x:PO-1', { headers: { 'X-Request-Id': 'bad id' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('X-Request-Id')).toMatch(UUID);
    const missing = await api.request('/no/such/path', { headers: { 'X-Request-Id': 'nf-1' } });
    expect([missing.status, missing.headers.get('X-Request-Id')]).toEqual([404, 'nf-1']);
  });

  it('logs one access line per request: method, route pattern, status, duration, the instance of an instance route — no header, no body', async () => {
    const api = createApi(deps);
    const lines = await linesLoggedBy(async () => {
      await api.request('/api/v1/instances/approval:x:PO-1/actions', {
        method: 'POST',
        headers: { 'X-Request-Id': 'r-42', 'X-Signature': 'secret-signature', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'approve', comment: 'body-text' }),
      });
      await api.request('/healthz', { headers: { 'X-Request-Id': 'h-1' } });
    });
    const access = lines.filter((line) => line.msg === 'request');
    expect(access).toHaveLength(2);
    expect(access[0]).toMatchObject({
      level: 'info',
      requestId: 'r-42',
      method: 'POST',
      route: '/api/v1/instances/{id}/actions',
      status: 401,
      instanceId: 'approval:x:PO-1',
    });
    expect(access[1]).toMatchObject({ level: 'debug', requestId: 'h-1', route: '/healthz', status: 200 });
    expect(access.every((line) => typeof line.durationMs === 'number')).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/secret-signature|body-text/);
  });
});
