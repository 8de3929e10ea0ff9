import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { renderDashboard } from './dashboard-page';
import { failureSettingSchema, type FailureTarget } from './failure-modes';
import { authenticateInbound, type InboundAuth } from './inbound-auth';
import { ErpSandboxState, type OperationName, type OperationResponse } from './sandbox-state';
import type { ReceivedRequest } from '../../protocol/request-signature';
import { verifySignedRequest } from './signed-requests';
import { webhookEventSchema } from './webhook-event';

export interface ErpSandboxOptions {
  /** Secrets of the approval-center apps whose webhooks are accepted, by app key (more: `state.trustApp`). */
  webhookApps: Record<string, string>;
  /** How the approval center authenticates when it calls the operations; default none. */
  inboundAuth?: InboundAuth;
  /** The budget reservations draw on; default 1 000 000. */
  budget?: number;
}

type SandboxEnv = { Bindings: Partial<HttpBindings> };
type SandboxContext = Context<SandboxEnv>;

export interface ErpSandbox {
  app: Hono<SandboxEnv>;
  state: ErpSandboxState;
}

export interface RunningErpSandbox {
  /** e.g. `http://127.0.0.1:4100`, no trailing slash. */
  url: string;
  port: number;
  state: ErpSandboxState;
  close(): Promise<void>;
}

const reserveSchema = z.looseObject({
  businessKey: z.string().min(1),
  // A templated body (`"{{form.amount}}"`) may carry the amount as a numeric string.
  amount: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\s*\d+(\.\d+)?\s*$/, 'must be a number')
        .transform(Number),
    ])
    .refine((n) => n > 0, 'must be positive'),
  instanceId: z.string().optional(),
});

const releaseSchema = z.looseObject({
  businessKey: z.string().min(1),
  instanceId: z.string().optional(),
});

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: { code, message } }, headers);
}

/** The request target as the client sent it (path + query), which is what it signed. */
function requestTarget(c: SandboxContext): string {
  const raw = c.env?.incoming?.url;
  if (raw && raw.startsWith('/')) return raw;
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/** The sandbox reads every body at once: it records what it was sent, signed or not. */
async function readIncoming(c: SandboxContext): Promise<ReceivedRequest & { body: Uint8Array }> {
  const body = new Uint8Array(await c.req.arrayBuffer());
  return { method: c.req.method, target: requestTarget(c), header: (name) => c.req.header(name), body, readBody: async () => body };
}

type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses a JSON body; an empty one is `emptyAs` when given, else an error. */
function parseJsonBody(body: Uint8Array | string, emptyAs?: null): JsonParse {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  if (text.trim() === '') return emptyAs === null ? { ok: true, value: null } : { ok: false, message: 'a JSON body is required' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `malformed JSON: ${(err as Error).message}` };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`).join('; ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fake ERP as a Hono app, with the state it records into. */
export function createErpSandbox(options: ErpSandboxOptions): ErpSandbox {
  const state = new ErpSandboxState(options.webhookApps, options.budget);
  const inboundAuth: InboundAuth = options.inboundAuth ?? { type: 'none' };
  const app = new Hono<SandboxEnv>();

  /** Answers `request` with an error and lists it among the rejected requests. */
  const reject = (request: ReceivedRequest, status: number, code: string, message: string): Response => {
    state.recordRejection({ method: request.method, path: request.target, code, reason: message });
    return errorResponse(status, code, message);
  };

  /** Applies the target's failure switch: a failure answer (the request goes no further), or null to go on. */
  const failureAnswer = async (target: FailureTarget): Promise<Response | null> => {
    const decision = state.takeFailure(target);
    if (decision.kind === 'pass') return null;
    if (decision.kind === 'delay') {
      // Unref'd: a held-back request must not keep a test process alive.
      await sleep(decision.ms, undefined, { ref: false });
      return null;
    }
    return errorResponse(decision.status, decision.code, decision.message, decision.status === 429 ? { 'retry-after': '1' } : {});
  };

  /**
   * One ERP operation: failure switch, inbound auth, `Idempotency-Key` (a repeat answers the
   * first response and applies nothing), body validation, then `apply` — once per key.
   */
  const runOperation = async <S extends z.ZodType>(
    c: SandboxContext,
    operation: OperationName,
    schema: S,
    apply: (input: z.output<S>) => OperationResponse,
    document?: { type: string; id: string },
  ): Promise<Response> => {
    const failed = await failureAnswer(operation);
    if (failed) return failed;
    const request = await readIncoming(c);
    const auth = await authenticateInbound(inboundAuth, request, state.nonces);
    if (!auth.ok) return reject(request, 401, auth.code, auth.message);
    const idempotencyKey = c.req.header('idempotency-key')?.trim();
    if (!idempotencyKey) return reject(request, 400, 'MISSING_IDEMPOTENCY_KEY', 'the Idempotency-Key header is required');
    const repeat = state.repeatOperation(operation, idempotencyKey);
    if (repeat) return jsonResponse(repeat.response.status, repeat.response.body, { 'idempotent-replayed': 'true' });
    const parsed = parseJsonBody(request.body, operation === 'write_back' ? null : undefined);
    if (!parsed.ok) return reject(request, 400, 'INVALID_JSON', parsed.message);
    const input = schema.safeParse(parsed.value);
    if (!input.success) return reject(request, 400, 'INVALID_BODY', describeIssues(input.error));
    // No await from the repeat check to here: concurrent repeats of a key cannot both apply.
    const response = apply(input.data);
    state.recordOperation({
      operation,
      idempotencyKey,
      method: request.method,
      path: request.target,
      body: parsed.value,
      response,
      ...(document ? { document } : {}),
    });
    return jsonResponse(response.status, response.body);
  };

  app.post('/webhooks/approval', async (c) => {
    const failed = await failureAnswer('webhooks');
    if (failed) return failed;
    const request = await readIncoming(c);
    const auth = await verifySignedRequest(request, (appKey) => state.secretOf(appKey), state.nonces);
    if (!auth.ok) return reject(request, 401, auth.code, auth.message);
    const eventId = c.req.header('x-event-id');
    if (!eventId) return reject(request, 401, 'MISSING_EVENT_ID', 'the X-Event-Id header is required');
    const parsed = parseJsonBody(request.body);
    if (!parsed.ok) return reject(request, 400, 'INVALID_JSON', parsed.message);
    const bodyEventId = isRecord(parsed.value) ? parsed.value.eventId : undefined;
    if (bodyEventId !== eventId) {
      return reject(request, 401, 'EVENT_ID_MISMATCH', `X-Event-Id "${eventId}" differs from the body's eventId ${JSON.stringify(bodyEventId ?? null)}`);
    }
    const event = webhookEventSchema.safeParse(parsed.value);
    if (!event.success) return reject(request, 400, 'INVALID_EVENT', describeIssues(event.error));
    const first = state.recordEvent(event.data, auth.appKey, request.target);
    return jsonResponse(200, { received: true, eventId, duplicate: !first });
  });

  app.post('/budget/reserve', (c) =>
    runOperation(c, 'reserve_budget', reserveSchema, ({ businessKey, amount, instanceId }) => {
      const outcome = state.reserve(businessKey, amount, instanceId);
      if (!outcome.ok) {
        return { status: 422, body: { error: { code: 'INSUFFICIENT_BUDGET', message: `amount ${amount} exceeds the remaining budget ${outcome.remaining}` } } };
      }
      const { reservationId } = outcome.reservation;
      return { status: 201, body: { reservationId, businessKey, amount, status: 'reserved' } };
    }),
  );

  app.post('/budget/release', (c) =>
    runOperation(c, 'release_budget', releaseSchema, ({ businessKey }) => {
      const { released, reservationIds } = state.release(businessKey);
      return { status: 200, body: { businessKey, released, reservationIds, status: 'released' } };
    }),
  );

  app.on(['POST', 'PUT', 'PATCH'], '/documents/:type/:id/approval-result', (c) => {
    const document = { type: c.req.param('type'), id: c.req.param('id') };
    return runOperation(
      c,
      'write_back',
      z.unknown(),
      () => ({ status: 200, body: { documentType: document.type, documentId: document.id, status: 'recorded' } }),
      document,
    );
  });

  app.post('/control/failures', async (c) => {
    const parsed = parseJsonBody(await c.req.text());
    if (!parsed.ok) return errorResponse(400, 'INVALID_JSON', parsed.message);
    const setting = failureSettingSchema.safeParse(parsed.value);
    if (!setting.success) return errorResponse(400, 'INVALID_BODY', describeIssues(setting.error));
    return jsonResponse(200, { failures: state.setFailure(setting.data) });
  });

  app.post('/control/reset', () => {
    state.reset();
    return jsonResponse(200, { reset: true });
  });

  app.get('/api/received', () => jsonResponse(200, state.snapshot()));
  app.get('/healthz', () => jsonResponse(200, { ok: true }));
  app.get('/', (c) => {
    c.header('cache-control', 'no-store');
    return c.html(renderDashboard(state.snapshot()));
  });

  app.notFound((c) => errorResponse(404, 'NOT_FOUND', `no ERP sandbox route ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((err) => errorResponse(500, 'SANDBOX_ERROR', err.message));

  return { app, state };
}

/** Where a client reaches a server bound to `host`. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves the sandbox over HTTP; `port` 0 (the default) picks a free one, `host` defaults to 127.0.0.1. */
export function startErpSandbox(options: ErpSandboxOptions & { port?: number; host?: string }): Promise<RunningErpSandbox> {
  const { app, state } = createErpSandbox(options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${reachableHost(host)}:${info.port}`,
        port: info.port,
        state,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
