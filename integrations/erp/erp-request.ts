import { signedHeaders } from '../../protocol/request-signature';
import type { ErpSystem } from '../../db/erp-systems';
import type { ErpHttpOperation } from '../../db/schema';
import type { TemplateContext } from '../../engine/template-context';
import { renderBody, renderPath } from './templates';

/** What came back from an ERP: the body parsed as JSON when it is JSON, else its text. */
export interface ErpResponse {
  status: number;
  body: unknown;
  durationMs: number;
  url: string;
}

/** The ERP could not be reached (connection refused, DNS, TLS, reset, timeout): always worth a retry. */
export class ErpUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ERP unreachable: ${method} ${url}: ${reason}`, options);
    this.name = 'ErpUnreachableError';
  }
}

export const DEFAULT_ERP_TIMEOUT_MS = 10_000;
/** Longer response bodies are kept as their first this-many characters of text. */
export const MAX_ERP_RESPONSE_CHARS = 2_000;

/** SPEC §8: 2xx success; 4xx final failure, except 408 and 429; the rest (5xx, 3xx, …) retried. */
export function classifyErpStatus(status: number): 'ok' | 'final' | 'retry' {
  if (status >= 200 && status <= 299) return 'ok';
  if (status >= 400 && status <= 499 && status !== 408 && status !== 429) return 'final';
  return 'retry';
}

/** The request an operation makes in a context, before any I/O (exported for tests and logs). */
export function buildErpRequest(system: ErpSystem, operation: ErpHttpOperation, ctx: TemplateContext): { method: string; url: string; body?: string } {
  const url = system.baseUrl.replace(/\/+$/, '') + renderPath(operation.path, ctx);
  if (operation.method === 'GET') return { method: operation.method, url };
  return { method: operation.method, url, body: JSON.stringify(renderBody(operation.body ?? {}, ctx)) };
}

function authHeaders(system: ErpSystem, request: { method: string; url: string; body?: string }): Record<string, string> {
  switch (system.auth.type) {
    case 'hmac': {
      // SPEC §7: PATH is the request target as sent — the URL's path (with any base-URL prefix) and query.
      const target = new URL(request.url);
      return signedHeaders(
        { appKey: system.auth.appKey, secret: system.auth.secret },
        { method: request.method, path: target.pathname + target.search, body: request.body ?? '' },
      );
    }
    case 'bearer':
      return { Authorization: `Bearer ${system.auth.token}` };
    case 'none':
      return {};
  }
}

function parseResponseText(text: string): unknown {
  if (text.length > MAX_ERP_RESPONSE_CHARS) return text.slice(0, MAX_ERP_RESPONSE_CHARS);
  if (text.trim() === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A property of a thrown value; errors from fetch need not be instances of this realm's Error. */
function prop(value: unknown, key: 'name' | 'message' | 'cause'): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function reasonOf(err: unknown, timeoutMs: number): string {
  const name = prop(err, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const message = prop(err, 'message');
  if (typeof message !== 'string') return String(err);
  const cause = prop(prop(err, 'cause'), 'message');
  return typeof cause === 'string' && cause !== '' ? `${message}: ${cause}` : message;
}

/**
 * Calls `operation` of `system`: templates rendered from `ctx`, a JSON body for every method
 * but GET, `Idempotency-Key` so the ERP can dedupe retries, and the system's authentication.
 * Any HTTP status is an answer (see `classifyErpStatus`); no answer at all throws
 * `ErpUnreachableError`. Redirects are not followed (a signed request must not wander).
 */
export async function sendErpRequest(
  system: ErpSystem,
  operation: ErpHttpOperation,
  ctx: TemplateContext,
  idempotencyKey: string,
  options: { timeoutMs?: number } = {},
): Promise<ErpResponse> {
  const request = buildErpRequest(system, operation, ctx);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Idempotency-Key': idempotencyKey,
    ...authHeaders(system, request),
  };
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_ERP_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      redirect: 'manual',
      signal,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    throw new ErpUnreachableError(request.method, request.url, reasonOf(err, timeoutMs), { cause: err });
  }
  return { status, body: parseResponseText(text), durationMs: Math.round(performance.now() - started), url: request.url };
}
