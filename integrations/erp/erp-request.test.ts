import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureMatches } from '../../protocol/request-signature';
import type { ErpSystem } from '../../db/erp-systems';
import { classifyErpStatus, ErpUnreachableError, MAX_ERP_RESPONSE_CHARS, sendErpRequest } from './erp-request';
import type { TemplateContext } from '../../engine/template-context';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let origin: string;
let received: Received[] = [];
let handler: Handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(req, res);
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
  handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
});

const ctx: TemplateContext = {
  form: { amount: 1200, title: '办公用品', dept: 'R&D' },
  instance: { id: 'approval:po:PO-7' },
  businessKey: 'PO-7',
  source: { system: 'erp', type: 'purchase.order', id: 'PO 7' },
  status: 'running',
};

function system(auth: ErpSystem['auth'], baseUrl = `${origin}/erp/api/`): ErpSystem {
  return { code: 'erp', baseUrl, auth, operations: {} };
}

describe('classifyErpStatus', () => {
  it.each([
    [200, 'ok'],
    [201, 'ok'],
    [204, 'ok'],
    [299, 'ok'],
    [400, 'final'],
    [401, 'final'],
    [404, 'final'],
    [409, 'final'],
    [422, 'final'],
    [499, 'final'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [301, 'retry'],
    [100, 'retry'],
  ] as const)('%i → %s', (status, expected) => {
    expect(classifyErpStatus(status)).toBe(expected);
  });
});

describe('sendErpRequest', () => {
  it('hmac: signs the path as sent (base-URL prefix and query included) and sends the templated JSON body and idempotency key', async () => {
    handler = (_req, res) => res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"reservationId":"R-1","amount":1200}');
    const response = await sendErpRequest(
      system({ type: 'hmac', appKey: 'center', secret: 's3cret' }),
      {
        method: 'POST',
        path: '/budgets/{{source.id}}/reserve?po={{businessKey}}&dept={{form.dept}}',
        body: { amount: '{{form.amount}}', memo: '{{form.title}} ({{instance.id}})', missing: '{{form.nope}}' },
      },
      ctx,
      'approval:po:PO-7:svc:call',
    );

    expect(response).toEqual({
      status: 201,
      body: { reservationId: 'R-1', amount: 1200 },
      durationMs: expect.any(Number),
      url: `${origin}/erp/api/budgets/PO%207/reserve?po=PO-7&dept=R%26D`,
    });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/erp/api/budgets/PO%207/reserve?po=PO-7&dept=R%26D');
    expect(JSON.parse(req!.body)).toEqual({ amount: 1200, memo: '办公用品 (approval:po:PO-7)', missing: null });
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['idempotency-key']).toBe('approval:po:PO-7:svc:call');
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.headers['x-app-key']).toBe('center');
    const parts = {
      method: 'POST',
      path: req!.url,
      timestamp: String(req!.headers['x-timestamp']),
      nonce: String(req!.headers['x-nonce']),
      body: req!.body,
    };
    expect(signatureMatches('s3cret', parts, String(req!.headers['x-signature']))).toBe(true);
    expect(signatureMatches('other', parts, String(req!.headers['x-signature']))).toBe(false);
    expect(Math.abs(Number(parts.timestamp) - Date.now())).toBeLessThan(10_000);
  });

  it('hmac GET: no body, the empty body is what is signed', async () => {
    await sendErpRequest(
      system({ type: 'hmac', appKey: 'center', secret: 's3cret' }, `${origin}/v2`),
      { method: 'GET', path: '/orders/{{businessKey}}' },
      ctx,
      'k1',
    );
    const [req] = received;
    expect(req).toMatchObject({ method: 'GET', url: '/v2/orders/PO-7', body: '' });
    const parts = { method: 'GET', path: '/v2/orders/PO-7', timestamp: String(req!.headers['x-timestamp']), nonce: String(req!.headers['x-nonce']), body: '' };
    expect(signatureMatches('s3cret', parts, String(req!.headers['x-signature']))).toBe(true);
  });

  it('bearer: Authorization header and no signature headers; a text answer stays text', async () => {
    handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('accepted');
    const response = await sendErpRequest(
      system({ type: 'bearer', token: 'tok-123' }, origin),
      { method: 'PUT', path: '/orders/{{businessKey}}/status', body: { status: '{{status}}' } },
      ctx,
      'k2',
    );
    expect(response.body).toBe('accepted');
    const [req] = received;
    expect(req).toMatchObject({ method: 'PUT', url: '/orders/PO-7/status' });
    expect(JSON.parse(req!.body)).toEqual({ status: 'running' });
    expect(req!.headers.authorization).toBe('Bearer tok-123');
    expect(req!.headers['x-signature']).toBeUndefined();
    expect(req!.headers['idempotency-key']).toBe('k2');
  });

  it('none: no authentication headers; a non-GET without a body template sends {}', async () => {
    await sendErpRequest(system({ type: 'none' }), { method: 'DELETE', path: '/reservations/{{instance.id}}' }, ctx, 'k3');
    const [req] = received;
    expect(req).toMatchObject({ method: 'DELETE', url: '/erp/api/reservations/approval%3Apo%3APO-7', body: '{}' });
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.headers['x-app-key']).toBeUndefined();
    expect(req!.headers['idempotency-key']).toBe('k3');
  });

  it('any status is an answer; long bodies are cut to 2,000 characters', async () => {
    const long = JSON.stringify({ detail: 'x'.repeat(5000) });
    handler = (_req, res) => res.writeHead(503, { 'Content-Type': 'application/json' }).end(long);
    const response = await sendErpRequest(system({ type: 'none' }), { method: 'POST', path: '/x' }, ctx, 'k4');
    expect(response.status).toBe(503);
    expect(response.body).toBe(long.slice(0, MAX_ERP_RESPONSE_CHARS));
  });

  it('does not follow redirects', async () => {
    handler = (_req, res) => res.writeHead(302, { Location: `${origin}/elsewhere` }).end();
    const response = await sendErpRequest(system({ type: 'none' }), { method: 'POST', path: '/x' }, ctx, 'k5');
    expect(response.status).toBe(302);
    expect(received.map((r) => r.url)).toEqual(['/erp/api/x']);
  });

  it('a refused connection throws ErpUnreachableError naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const attempt = sendErpRequest(system({ type: 'none' }, `http://127.0.0.1:${port}`), { method: 'POST', path: '/x/{{businessKey}}' }, ctx, 'k6');
    await expect(attempt).rejects.toThrow(ErpUnreachableError);
    await expect(attempt).rejects.toThrow(`http://127.0.0.1:${port}/x/PO-7`);
    await expect(attempt).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a timeout throws ErpUnreachableError', async () => {
    handler = () => undefined; // never answers
    const attempt = sendErpRequest(system({ type: 'none' }), { method: 'POST', path: '/slow' }, ctx, 'k7', { timeoutMs: 150 });
    await expect(attempt).rejects.toThrow(ErpUnreachableError);
    await expect(attempt).rejects.toThrow(/\/erp\/api\/slow: timed out after 150 ms/);
  });
});
