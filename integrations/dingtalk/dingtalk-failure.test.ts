import { failureOf, kindOfCode, type DingTalkHost } from './dingtalk-failure';
import { retryDelayMs } from './retry-policy';

const json = (status: number, body: unknown) => ({ status, json: body, text: JSON.stringify(body) });

describe('kindOfCode', () => {
  it.each([
    ['40014', 200, '', 'token'],
    ['42001', 200, '', 'token'],
    ['40001', 200, '', 'token'],
    ['InvalidAuthentication', 400, '', 'token'],
    ['SomethingElse', 401, '', 'token'],
    ['40096', 200, '', 'credentials'],
    ['invalidClientIdOrSecret', 400, '', 'credentials'],
    ['40078', 200, '', 'invalid_auth_code'],
    ['90018', 200, '', 'throttled'],
    ['90002', 200, '', 'throttled'],
    ['Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 403, '', 'throttled'],
    ['Forbidden.AccessDenied.QpsLimitForApi', 403, '', 'throttled'],
    ['todo.taskCreate.flowControlError', 400, 'flowControl because of executorId or orgId', 'throttled'],
    ['90020', 200, '', 'quota'],
    ['Forbidden.AccessDenied.ApiCountLimitForOrg', 403, '', 'quota'],
    ['60011', 200, '', 'permission'],
    ['60020', 200, '', 'permission'],
    ['Forbidden.AccessDenied.AccessTokenPermissionDenied', 403, '', 'permission'],
    ['60121', 200, '', 'not_found'],
    ['33012', 200, '', 'not_found'],
    ['60003', 200, '', 'not_found'],
    ['param.userIdNotExist', 400, '', 'not_found'],
    ['param.cardNotExist', 400, '', 'not_found'],
    ['todo.taskUpdate.paramError', 400, 'task not exist', 'not_found'],
    ['todo.taskCreate.paramError', 400, 'task exist', 'parameter'],
    ['400002', 200, '', 'parameter'],
    ['40035', 200, '', 'parameter'],
    ['param.cardAlreadyExist', 400, '', 'parameter'],
    ['param.callbackRouteKeyExist', 500, '', 'parameter'],
    ['AuthenticationFailed.MissingParameter', 400, '', 'parameter'],
    ['99999', 200, '', 'parameter'],
    ['-1', 200, '', 'server'],
    ['system.busy', 500, '', 'server'],
    ['todo.taskCreate.lockError', 400, '', 'server'],
    ['todo.taskCreate.systemError', 500, '', 'server'],
    ['http_503', 503, '', 'server'],
    ['http_429', 429, '', 'throttled'],
  ])('%s (HTTP %i, %j) → %s', (code, status, message, kind) => {
    expect(kindOfCode(code, message, status)).toBe(kind);
  });
});

describe('failureOf', () => {
  it.each<[string, DingTalkHost, { status: number; json: unknown; text: string }, unknown]>([
    ['an oapi success', 'oapi', json(200, { errcode: 0, errmsg: 'ok', result: {} }), undefined],
    ['an api success', 'api', json(200, { success: true }), undefined],
    ['an empty api success', 'api', { status: 200, json: undefined, text: '' }, undefined],
    [
      'an oapi errcode',
      'oapi',
      json(200, { errcode: 60121, errmsg: '找不到该用户' }),
      { kind: 'not_found', code: '60121', message: '找不到该用户', httpStatus: 200 },
    ],
    ['a wrapped token error', 'oapi', json(200, { errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token' }), { kind: 'token', code: '40014' }],
    ['an api error', 'api', json(400, { code: 'param.outTrackIdEmpty', message: 'outTrackId empty' }), { kind: 'parameter', code: 'param.outTrackIdEmpty' }],
    ['an api error without a code', 'api', json(502, { oops: true }), { kind: 'server', code: 'http_502' }],
    ['the JSON ban', 'api', json(200, { status: 1111, wait: 5 }), { kind: 'throttled', code: 'status_1111' }],
    ['an HTML page', 'oapi', { status: 403, json: undefined, text: '<html>banned</html>' }, { kind: 'throttled', code: 'http_403' }],
    ['an HTML 500', 'api', { status: 500, json: undefined, text: '<html>oops</html>' }, { kind: 'server', code: 'http_500' }],
    ['an empty oapi answer', 'oapi', { status: 200, json: undefined, text: '' }, { kind: 'server', code: 'http_200' }],
  ])('%s', (_name, host, answer, expected) => {
    const failure = failureOf(host, answer);
    if (expected === undefined) expect(failure).toBeUndefined();
    else expect(failure).toMatchObject(expected as object);
  });
});

describe('retryDelayMs', () => {
  const half = () => 0.5;
  it('backs off throttling 1, 2, 4 s, then gives up', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs({ kind: 'throttled', code: '90018' }, n, half))).toEqual([1000, 2000, 4000, undefined]);
  });
  it('waits about a second each time on the API-wide limit', () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ kind: 'throttled', code: 'Forbidden.AccessDenied.QpsLimitForApi' }, n, half))).toEqual([1000, 1000, 1000]);
  });
  it('jitters by ±25 %', () => {
    expect([0, 1].map((r) => retryDelayMs({ kind: 'throttled', code: '90018' }, 2, () => r))).toEqual([1500, 2500]);
  });
  it('allows server and network failures three attempts in all', () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ kind: 'server', code: '-1' }, n, half))).toEqual([250, 500, undefined]);
  });
  it.each(['parameter', 'permission', 'quota', 'not_found', 'invalid_auth_code', 'credentials', 'token'] as const)('does not retry %s', (kind) => {
    expect(retryDelayMs({ kind, code: 'x' }, 1, half)).toBeUndefined();
  });
});
