import { apiError, htmlError, invalidTokenAnswer, oapiError, oapiSubError, type FakeAnswer, type HostStyle } from './answers';
import type { ApiName } from './api-names';

/**
 * What `failNext` can make an API answer: `throttle` (90018 / 403 QpsLimitForAppkeyAndApi),
 * `server_error` (HTTP 502 with an HTML body), `busy` (errcode -1 / 500 system.busy),
 * `token_invalid` (as for a revoked token), `quota` (90020 / 403 ApiCountLimitForOrg),
 * `permission` (88/60011 / 403 AccessTokenPermissionDenied).
 */
export type FakeFailure = 'throttle' | 'server_error' | 'busy' | 'token_invalid' | 'quota' | 'permission';

export function failureAnswer(failure: FakeFailure, host: HostStyle, path: string): FakeAnswer {
  switch (failure) {
    case 'throttle':
      return host === 'api'
        ? apiError(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', '当前应用调用该接口超过每秒调用次数限流阈值')
        : oapiError(90018, '当前应用调用该接口超过每秒调用次数限流阈值，请稍后重试');
    case 'server_error':
      return htmlError(502);
    case 'busy':
      return host === 'api' ? apiError(500, 'system.busy', '系统繁忙') : oapiError(-1, '系统繁忙');
    case 'token_invalid':
      return invalidTokenAnswer(host, path);
    case 'quota':
      return host === 'api'
        ? apiError(403, 'Forbidden.AccessDenied.ApiCountLimitForOrg', '企业本月接口调用量已超过限额')
        : oapiError(90020, '企业本月接口调用量已超过限额');
    case 'permission':
      return host === 'api'
        ? apiError(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied', '没有调用该接口的权限')
        : oapiSubError('60011', '没有调用该接口的权限');
  }
}

interface ArmedFailure {
  failure: FakeFailure;
  remaining: number;
}

/** The failures armed with `failNext`, per API or for every API (`*`), used up one call at a time in arming order. */
export class FailureSwitches {
  private readonly armed = new Map<ApiName | '*', ArmedFailure[]>();

  arm(api: ApiName | '*', failure: FakeFailure, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new Error(`failNext: times must be a positive integer, got ${times}`);
    const queue = this.armed.get(api) ?? [];
    queue.push({ failure, remaining: times });
    this.armed.set(api, queue);
  }

  /** The failure this call of `api` answers with, if one is armed (an API's own before `*`). */
  take(api: ApiName): FakeFailure | undefined {
    return this.takeFrom(api) ?? this.takeFrom('*');
  }

  pending(): Array<{ api: ApiName | '*'; failure: FakeFailure; remaining: number }> {
    return [...this.armed.entries()].flatMap(([api, queue]) => queue.map((f) => ({ api, ...f })));
  }

  clear(): void {
    this.armed.clear();
  }

  private takeFrom(key: ApiName | '*'): FakeFailure | undefined {
    const queue = this.armed.get(key);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.remaining -= 1;
    if (next.remaining === 0) queue.shift();
    if (queue.length === 0) this.armed.delete(key);
    return next.failure;
  }
}
