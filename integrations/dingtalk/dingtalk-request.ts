import { dingtalkCallDuration, dingtalkCalls } from '../../observability/metrics';
import type { AccessTokenSource } from './access-token-cache';
import { DingTalkError, type DingTalkSettings } from './dingtalk-api';
import { failureOf, type DingTalkAnswer, type DingTalkFailure, type DingTalkHost } from './dingtalk-failure';
import type { RateLimiter } from './rate-limiter';
import { retryBudgetOf, retryDelayMs } from './retry-policy';

/**
 * One DingTalk call end to end: the rate limit, the token (header on the api host, `access_token`
 * query on oapi), the exchange, the failure classification and the retries. Log lines and error
 * messages never carry the token or the app secret.
 */

export interface DingTalkRequest {
  /** Names the call in errors, logs and the rate limit, e.g. `card.createAndDeliver`, `topapi/v2/user/get`. */
  api: string;
  host: DingTalkHost;
  method: 'GET' | 'POST' | 'PUT';
  /** Path and query on the host, segments already encoded. */
  path: string;
  body?: unknown;
}

/** What is logged of each attempt, and nothing else. */
export interface DingTalkCallLogLine {
  api: string;
  /** The HTTP status; absent when nothing came back. */
  status?: number;
  ms: number;
  attempt: number;
  errorCode?: string;
}

export interface DingTalkRequesterOptions {
  settings: Pick<DingTalkSettings, 'apiBase' | 'oapiBase' | 'appSecret'>;
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  limiter: RateLimiter;
  timeoutMs: number;
  log: (line: DingTalkCallLogLine) => void;
}

export interface DingTalkRequester {
  /** The parsed JSON of a successful answer (`undefined` for an empty one); `tokens` for every call but the token's own and the Stream ticket's. */
  call(request: DingTalkRequest, tokens?: AccessTokenSource): Promise<unknown>;
}

export const DEFAULT_DINGTALK_TIMEOUT_MS = 5_000;
/** Tokens remembered for redaction: the current one and a few it replaced. */
const REMEMBERED_TOKENS = 4;

/** A property of a thrown value; errors from fetch need not be instances of this realm's Error. */
function prop(value: unknown, key: 'name' | 'message' | 'cause'): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function networkFailure(err: unknown, timeoutMs: number): DingTalkFailure {
  const name = prop(err, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'network', code: 'timeout', message: `no answer within ${timeoutMs} ms` };
  const message = prop(err, 'message');
  const cause = prop(prop(err, 'cause'), 'message');
  const reason = typeof message === 'string' ? message : String(err);
  return { kind: 'network', code: 'network', message: typeof cause === 'string' && cause !== '' ? `${reason}: ${cause}` : reason };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createDingTalkRequester(options: DingTalkRequesterOptions): DingTalkRequester {
  const { settings, now, limiter } = options;
  const tokensSeen: string[] = [];

  function remember(token: string): void {
    if (tokensSeen.includes(token)) return;
    tokensSeen.push(token);
    if (tokensSeen.length > REMEMBERED_TOKENS) tokensSeen.shift();
  }

  /** DingTalk's messages (and fetch's, which may quote the URL) with every secret we know blanked out. */
  function redact(text: string): string {
    let redacted = text;
    for (const secret of [settings.appSecret, ...tokensSeen]) {
      if (secret === '') continue;
      redacted = redacted.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
    }
    return redacted;
  }

  function urlOf(request: DingTalkRequest, token: string | undefined): string {
    const base = (request.host === 'api' ? settings.apiBase : settings.oapiBase).replace(/\/+$/, '');
    const url = base + request.path;
    if (token === undefined || request.host === 'api') return url;
    return `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
  }

  /** One attempt: the answer's status and JSON, and the failure it carries or that kept it from coming. */
  async function exchange(request: DingTalkRequest, token: string | undefined): Promise<{ status?: number; json?: unknown; failure?: DingTalkFailure }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (token !== undefined && request.host === 'api') headers['x-acs-dingtalk-access-token'] = token;
    try {
      const response = await options.fetch(urlOf(request, token), {
        method: request.method,
        headers,
        // A redirect would carry the token header to wherever it points.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      });
      const text = await response.text();
      const answer: DingTalkAnswer = { status: response.status, json: parseJson(text), text };
      return { status: answer.status, json: answer.json, failure: failureOf(request.host, answer) };
    } catch (err) {
      return { failure: networkFailure(err, options.timeoutMs) };
    }
  }

  return {
    async call(request, tokens) {
      let refreshedToken = false;
      const retries = { throttled: 0, transient: 0 };
      for (let attempt = 1; ; attempt++) {
        const token = tokens ? await tokens.get() : undefined;
        if (token !== undefined) remember(token);
        await limiter.acquire(request.api);
        const started = now();
        const { status, json, failure } = await exchange(request, token);
        const ms = now() - started;
        // `api` names the operation (a constant of client.ts); the result is the failure's class, never its text.
        dingtalkCalls.inc({ api: request.api, result: failure ? failure.kind : 'ok' });
        dingtalkCallDuration.observe({ api: request.api }, ms / 1000);
        options.log({
          api: request.api,
          ...(status !== undefined ? { status } : {}),
          ms,
          attempt,
          ...(failure ? { errorCode: redact(failure.code) } : {}),
        });
        if (!failure) return json;

        if (failure.kind === 'token' && tokens && token !== undefined && !refreshedToken) {
          refreshedToken = true;
          tokens.invalidate(token);
          continue;
        }
        const budget = retryBudgetOf(failure);
        const delay = budget ? retryDelayMs(failure, ++retries[budget], options.random) : undefined;
        if (delay === undefined) throw new DingTalkError(request.api, failure.kind, redact(failure.code), redact(failure.message), failure.httpStatus);
        await options.sleep(delay);
      }
    },
  };
}
