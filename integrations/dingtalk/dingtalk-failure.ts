import type { DingTalkFailureKind } from './dingtalk-api';

/**
 * How DingTalk says a call failed, on either host (DINGTALK.md "Errors, limits, retries"): oapi
 * answers HTTP 200 with a non-zero `errcode`, the api host answers 4xx/5xx `{code, message}`, and
 * a per-IP ban answers an HTML page or `{status: 1111, wait: 5}`.
 */

export type DingTalkHost = 'api' | 'oapi';

/** A failed answer, before it becomes a `DingTalkError` (whose message the caller redacts). */
export interface DingTalkFailure {
  kind: DingTalkFailureKind;
  code: string;
  message: string;
  httpStatus?: number;
}

/** What came back: the body parsed as JSON, or `undefined` with the text when it is not JSON. */
export interface DingTalkAnswer {
  status: number;
  json: unknown;
  text: string;
}

const EXACT: ReadonlyMap<string, DingTalkFailureKind> = new Map<string, DingTalkFailureKind>([
  ['40014', 'token'],
  ['42001', 'token'],
  ['40001', 'token'],
  ['InvalidAuthentication', 'token'],
  ['40096', 'credentials'],
  ['invalidClientIdOrSecret', 'credentials'],
  ['40078', 'invalid_auth_code'],
  ['90018', 'throttled'],
  ['90002', 'throttled'],
  ['90020', 'quota'],
  ['60011', 'permission'],
  ['60020', 'permission'],
  ['60121', 'not_found'],
  ['33012', 'not_found'],
  ['60003', 'not_found'],
  ['param.userIdNotExist', 'not_found'],
  ['param.cardNotExist', 'not_found'],
  ['-1', 'server'],
  ['system.busy', 'server'],
  ['400002', 'parameter'],
  ['40035', 'parameter'],
]);

/** api-host codes are dotted (`Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`): matched on their last segment. */
const LAST_SEGMENT: ReadonlyMap<string, DingTalkFailureKind> = new Map<string, DingTalkFailureKind>([
  ['QpsLimitForAppkeyAndApi', 'throttled'],
  ['QpsLimitForApi', 'throttled'],
  ['ApiCountLimitForOrg', 'quota'],
  ['AccessTokenPermissionDenied', 'permission'],
]);

/** The API-wide limit (as opposed to ours per app and API): DingTalk asks for a retry after about a second. */
export function isApiWideLimit(code: string): boolean {
  return code === '90002' || code.endsWith('QpsLimitForApi');
}

function kindOfStatus(status: number): DingTalkFailureKind {
  if (status === 401) return 'token';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'parameter';
}

/** `todo.taskCreate.lockError` and friends: the todo API's codes name the operation in the middle. */
function kindOfTodoCode(code: string, message: string): DingTalkFailureKind | undefined {
  const match = /^todo\.[A-Za-z]+\.([A-Za-z]+)$/.exec(code);
  switch (match?.[1]) {
    case 'lockError':
    case 'systemError':
      return 'server';
    case 'flowControlError':
      return 'throttled';
    case 'paramError':
      return /not exist|不存在/i.test(message) ? 'not_found' : 'parameter';
    default:
      return undefined;
  }
}

/**
 * The kind of a failure code. Codes decide before the HTTP status (`param.callbackRouteKeyExist`
 * comes with a 500 but no retry fixes it); an oapi errcode nobody documented is final, so it is
 * surfaced rather than retried forever.
 */
export function kindOfCode(code: string, message: string, httpStatus: number): DingTalkFailureKind {
  const known = EXACT.get(code) ?? LAST_SEGMENT.get(code.slice(code.lastIndexOf('.') + 1)) ?? kindOfTodoCode(code, message);
  if (known) return known;
  if (code.startsWith('param.')) return 'parameter';
  return httpStatus === 200 ? 'parameter' : kindOfStatus(httpStatus);
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

/** The per-IP ban's JSON form. */
function isIpBan(body: Record<string, unknown>): boolean {
  return typeof body.status === 'number' && typeof body.wait === 'number';
}

/**
 * The failure an answer carries, or `undefined` when it is a success. A body that is not JSON is
 * never a success: with 200, 403 or 429 it is taken for the per-IP ban (throttled), otherwise its
 * status decides. An empty 2xx body is a success on the api host (nothing to return), a server
 * failure on oapi (which always answers an errcode).
 */
export function failureOf(host: DingTalkHost, answer: DingTalkAnswer): DingTalkFailure | undefined {
  const { status } = answer;
  const body = recordOf(answer.json);
  if (answer.json === undefined) {
    const empty = answer.text.trim() === '';
    const succeeded = status >= 200 && status <= 299;
    if (succeeded && empty && host === 'api') return undefined;
    const kind = succeeded && empty ? 'server' : status === 200 || status === 403 || status === 429 ? 'throttled' : kindOfStatus(status);
    return { kind, code: `http_${status}`, message: `a non-JSON answer: ${snippet(answer.text) || '(empty)'}`, httpStatus: status };
  }
  if (body && isIpBan(body)) {
    return { kind: 'throttled', code: `status_${String(body.status)}`, message: `calls refused for ${String(body.wait)} s`, httpStatus: status };
  }
  if (status >= 200 && status <= 299) {
    const errcode = body ? text(body.errcode) : undefined;
    if (host === 'api' || errcode === undefined || errcode === '0') return undefined;
    // topapi wraps the underlying error (a token error, mostly) in errcode 88 with a sub_code.
    const subCode = errcode === '88' ? text(body?.sub_code) : undefined;
    const code = subCode ?? errcode;
    const message = (subCode ? text(body?.sub_msg) : undefined) ?? text(body?.errmsg) ?? '';
    return { kind: kindOfCode(code, message, status), code, message, httpStatus: status };
  }
  const code = text(body?.code) ?? `http_${status}`;
  const message = text(body?.message) ?? text(body?.errmsg) ?? '';
  return { kind: kindOfCode(code, message, status), code, message, httpStatus: status };
}
