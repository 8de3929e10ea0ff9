import type { Context } from 'hono';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiError, htmlError, invalidTokenAnswer, oapiError, toResponse, type FakeAnswer, type HostStyle } from './answers';
import { UNKNOWN_API, type ApiName } from './api-names';
import type { FakeDingTalkApp, FakeDingTalkState } from './fake-dingtalk-state';
import { failureAnswer } from './failure-switches';

export interface OpenCall {
  c: Context;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
  query(name: string): string | undefined;
  param(name: string): string;
}

export interface AuthedCall extends OpenCall {
  /** The app whose token the call carried. */
  app: FakeDingTalkApp;
}

export interface RouteSpec {
  api: ApiName;
  host: HostStyle;
  /** How this API words a parameter error (a malformed body among them); default by host. */
  paramError?: (message: string) => FakeAnswer;
}

type Handler<C> = (call: C) => FakeAnswer | Promise<FakeAnswer>;

/** Query parameters that must not reach the call log. */
const SECRET_QUERY = ['access_token', 'appsecret'];

export const defaultParamError: Record<HostStyle, (message: string) => FakeAnswer> = {
  api: (message) => apiError(400, 'param.invalid', message),
  oapi: (message) => oapiError(400002, `参数错误: ${message}`),
};

function loggablePath(url: URL): string {
  const query = new URLSearchParams(url.search);
  for (const name of SECRET_QUERY) query.delete(name);
  const rest = query.toString();
  return rest ? `${url.pathname}?${rest}` : url.pathname;
}

async function readJsonBody(c: Context): Promise<{ ok: true; body: unknown } | { ok: false; message: string }> {
  if (c.req.method === 'GET' || c.req.method === 'DELETE' || c.req.method === 'HEAD') return { ok: true, body: undefined };
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, message: 'the body is not valid JSON' };
  }
}

/**
 * What every API request goes through, in DingTalk's order as seen from outside: outage,
 * latency, an armed failure, the token (per host convention), the body; then the handler. Each
 * answer is written to the call log.
 */
export class CallPipeline {
  constructor(private readonly state: FakeDingTalkState) {}

  /** An API called without a token (token endpoints, the Stream gateway). */
  open(spec: RouteSpec, handler: Handler<OpenCall>): (c: Context) => Promise<Response> {
    return (c) => this.run(c, spec, false, (call) => handler(call));
  }

  authed(spec: RouteSpec, handler: Handler<AuthedCall>): (c: Context) => Promise<Response> {
    return (c) => this.run(c, spec, true, (call, app) => handler({ ...call, app: app! }));
  }

  /** A path DingTalk does not have, answered as its host would. */
  async unknown(c: Context): Promise<Response> {
    const url = new URL(c.req.url);
    const host: HostStyle = url.pathname.startsWith('/v1.0/') ? 'api' : 'oapi';
    const answer: FakeAnswer = this.state.isDown()
      ? htmlError(503)
      : host === 'api'
        ? apiError(404, 'InvalidAction.NotFound', `no API ${c.req.method} ${url.pathname}`)
        : { ...oapiError(404, '请求的URI地址不存在'), status: 404 };
    this.state.recordCall({
      api: UNKNOWN_API,
      method: c.req.method,
      path: loggablePath(url),
      status: answer.status,
      errorCode: answer.errorCode ?? '404',
      at: this.state.now(),
    });
    return toResponse(answer);
  }

  private async run(
    c: Context,
    spec: RouteSpec,
    needsToken: boolean,
    handler: (call: OpenCall, app: FakeDingTalkApp | undefined) => FakeAnswer | Promise<FakeAnswer>,
  ) {
    const url = new URL(c.req.url);
    const { answer, app } = await this.answer(c, url, spec, needsToken, handler);
    this.state.recordCall({
      api: spec.api,
      method: c.req.method,
      path: loggablePath(url),
      status: answer.status,
      ...(answer.errorCode === undefined ? {} : { errorCode: answer.errorCode }),
      ...(app ? { appKey: app.appKey } : {}),
      at: this.state.now(),
    });
    return toResponse(answer);
  }

  private async answer(
    c: Context,
    url: URL,
    spec: RouteSpec,
    needsToken: boolean,
    handler: (call: OpenCall, app: FakeDingTalkApp | undefined) => FakeAnswer | Promise<FakeAnswer>,
  ): Promise<{ answer: FakeAnswer; app?: FakeDingTalkApp }> {
    if (this.state.isDown()) return { answer: htmlError(503) };
    if (this.state.latencyMs > 0) await sleep(this.state.latencyMs);
    const failure = this.state.takeFailure(spec.api);
    if (failure) return { answer: failureAnswer(failure, spec.host, url.pathname) };
    let app: FakeDingTalkApp | undefined;
    if (needsToken) {
      const auth = this.authenticate(c, spec.host, url);
      if (!auth.ok) return { answer: auth.answer };
      app = auth.app;
    }
    const paramError = spec.paramError ?? defaultParamError[spec.host];
    const body = await readJsonBody(c);
    if (!body.ok) return { answer: paramError(body.message), ...(app ? { app } : {}) };
    const call: OpenCall = {
      c,
      body: body.body,
      query: (name) => url.searchParams.get(name) ?? undefined,
      param: (name) => c.req.param(name) ?? '',
    };
    try {
      return { answer: await handler(call, app), ...(app ? { app } : {}) };
    } catch (err) {
      const message = `fake DingTalk failed: ${err instanceof Error ? err.message : String(err)}`;
      return { answer: spec.host === 'api' ? apiError(500, 'system.error', message) : oapiError(-1, message), ...(app ? { app } : {}) };
    }
  }

  /** api.dingtalk.com: the header only; oapi.dingtalk.com: the query only. */
  private authenticate(c: Context, host: HostStyle, url: URL): { ok: true; app: FakeDingTalkApp } | { ok: false; answer: FakeAnswer } {
    let token: string | undefined;
    if (host === 'api') {
      token = c.req.header('x-acs-dingtalk-access-token');
      if (!token) {
        const misplaced = url.searchParams.has('access_token')
          ? 'the access_token query parameter'
          : /^bearer\s/i.test(c.req.header('authorization') ?? '')
            ? 'Authorization: Bearer'
            : undefined;
        const message = misplaced
          ? `this host takes the access token only in the x-acs-dingtalk-access-token header, not in ${misplaced}`
          : 'the x-acs-dingtalk-access-token header is missing';
        return { ok: false, answer: apiError(400, 'AuthenticationFailed.MissingParameter', message) };
      }
    } else {
      token = url.searchParams.get('access_token') ?? undefined;
    }
    const appKey = this.state.tokens.appOf(token);
    const app = appKey === undefined ? undefined : this.state.apps.get(appKey);
    return app ? { ok: true, app } : { ok: false, answer: invalidTokenAnswer(host, url.pathname) };
  }
}
