import { APP, callApi, callOapi, startFake, stopFakes, tokenOf } from './fake-test-client';

afterEach(stopFakes);

describe('access tokens', () => {
  it('oauth2: issued for good credentials, the same token again while valid, refused for bad ones', async () => {
    const fake = await startFake();
    const first = await callApi(fake, 'POST', '/v1.0/oauth2/accessToken', { appKey: APP.appKey, appSecret: APP.appSecret }, { token: null });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ accessToken: expect.stringMatching(/^[0-9a-f]{32}$/), expireIn: 7200 });
    expect(await tokenOf(fake)).toBe(first.json?.accessToken);

    for (const body of [{ appKey: APP.appKey, appSecret: 'wrong' }, { appKey: 'nobody', appSecret: APP.appSecret }, {}]) {
      const bad = await callApi(fake, 'POST', '/v1.0/oauth2/accessToken', body, { token: null });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ code: 'invalidClientIdOrSecret', message: expect.any(String), requestid: expect.any(String) });
    }
  });

  it('gettoken: the same token as oauth2; 40096 for a bad key, 40035 for a missing one', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    const legacy = await callOapi(fake, `/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`, undefined, { method: 'GET', token: null });
    expect(legacy.status).toBe(200);
    expect(legacy.json).toMatchObject({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    const bad = await callOapi(fake, `/gettoken?appkey=${APP.appKey}&appsecret=nope`, undefined, { method: 'GET', token: null });
    expect(bad).toMatchObject({ status: 200, json: { errcode: 40096 } });
    const missing = await callOapi(fake, `/gettoken?appkey=${APP.appKey}`, undefined, { method: 'GET', token: null });
    expect(missing).toMatchObject({ status: 200, json: { errcode: 40035 } });
  });

  it('expire after their TTL (a new one is issued) and die with revokeTokens', async () => {
    let clock = 1_700_000_000_000;
    const fake = await startFake({ now: () => clock, tokenTtlSeconds: 60 });
    const first = await tokenOf(fake);
    clock += 30_000;
    const half = await callApi(fake, 'POST', '/v1.0/oauth2/accessToken', { appKey: APP.appKey, appSecret: APP.appSecret }, { token: null });
    expect(half.json).toEqual({ accessToken: first, expireIn: 30 });
    clock += 31_000;
    const expired = await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' }, { token: first });
    expect(expired.json).toMatchObject({ errcode: 88, sub_code: '40014', sub_msg: '不合法的access_token' });
    const second = await tokenOf(fake);
    expect(second).not.toBe(first);

    fake.state.revokeTokens();
    const revoked = await callApi(fake, 'GET', '/v1.0/todo/users/un_one/tasks/sources/x', undefined, { token: second });
    expect(revoked.status).toBe(401);
    expect(revoked.json).toMatchObject({ code: 'InvalidAuthentication' });
    expect(await tokenOf(fake)).not.toBe(second);
  });
});

describe('the two hosts’ conventions', () => {
  it('api host: the token only in its header; ?access_token= and Bearer are refused with 400 MissingParameter', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    const path = '/v1.0/todo/users/un_one/tasks/sources/none';
    const byHeader = await callApi(fake, 'GET', path, undefined, { token });
    expect(byHeader.status).toBe(400);
    expect(byHeader.json?.code).toBe('todo.taskUpdate.paramError');

    const byQuery = await callApi(fake, 'GET', `${path}?access_token=${token}`, undefined, { token: null });
    const byBearer = await callApi(fake, 'GET', path, undefined, { token: null, headers: { authorization: `Bearer ${token}` } });
    for (const refused of [byQuery, byBearer]) {
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ code: 'AuthenticationFailed.MissingParameter', requestid: expect.any(String) });
    }
    const bogus = await callApi(fake, 'GET', path, undefined, { token: 'not-a-token' });
    expect(bogus).toMatchObject({ status: 401, json: { code: 'InvalidAuthentication' } });
  });

  it('oapi host: the token only in the query (the header is ignored), failures are HTTP 200 with errcode', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    const ok = await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' }, { token });
    expect(ok).toMatchObject({ status: 200, json: { errcode: 0, errmsg: 'ok', request_id: expect.any(String) } });
    const headerOnly = await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' }, { token: null, headers: { 'x-acs-dingtalk-access-token': token } });
    expect(headerOnly).toMatchObject({ status: 200, json: { errcode: 88, sub_code: '40014' } });
  });

  it('the call log names each API, keeps status and error code, and never a token or secret', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    await callOapi(fake, `/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`, undefined, { method: 'GET', token: null });
    await callOapi(fake, '/topapi/v2/user/get', { userid: 'nobody' }, { token });
    await callApi(fake, 'GET', '/v1.0/no/such/api', undefined, { token });
    expect(fake.state.calls.map(({ api, method, path, status, errorCode }) => ({ api, method, path, status, errorCode }))).toEqual([
      { api: 'oauth2.accessToken', method: 'POST', path: '/v1.0/oauth2/accessToken', status: 200, errorCode: undefined },
      { api: 'gettoken', method: 'GET', path: `/gettoken?appkey=${APP.appKey}`, status: 200, errorCode: undefined },
      { api: 'user.get', method: 'POST', path: '/topapi/v2/user/get', status: 200, errorCode: '60121' },
      { api: 'unknown', method: 'GET', path: '/v1.0/no/such/api', status: 404, errorCode: 'InvalidAction.NotFound' },
    ]);
    expect(fake.state.callCount('user.get')).toBe(1);
    expect(fake.state.callCount()).toBe(4);
    expect(JSON.stringify(fake.state.calls)).not.toContain(token);
    expect(JSON.stringify(fake.state.calls)).not.toContain(APP.appSecret);
  });
});

describe('failure switches', () => {
  it('failNext answers each failure as the API’s host words it, for the given number of calls', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    const newHost = () => callApi(fake, 'PUT', '/v1.0/card/instances', { outTrackId: 'none', cardData: { cardParamMap: {} } }, { token });
    const oldHost = () => callOapi(fake, '/topapi/v2/department/get', { dept_id: 1 }, { token });

    fake.state.failNext('card.update', 'throttle', 2);
    expect(await newHost()).toMatchObject({ status: 403, json: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' } });
    expect(await newHost()).toMatchObject({ status: 403 });
    expect(await newHost()).toMatchObject({ status: 400, json: { code: 'param.cardNotExist' } });

    const expectations: Array<[Parameters<typeof fake.state.failNext>[1], object, object]> = [
      ['throttle', { status: 403 }, { status: 200, json: { errcode: 90018 } }],
      ['busy', { status: 500, json: { code: 'system.busy' } }, { status: 200, json: { errcode: -1 } }],
      ['token_invalid', { status: 401, json: { code: 'InvalidAuthentication' } }, { status: 200, json: { errcode: 88, sub_code: '40014' } }],
      ['quota', { status: 403, json: { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' } }, { status: 200, json: { errcode: 90020 } }],
      [
        'permission',
        { status: 403, json: { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied' } },
        { status: 200, json: { errcode: 88, sub_code: '60011' } },
      ],
    ];
    for (const [failure, onNew, onOld] of expectations) {
      fake.state.failNext('*', failure, 2);
      expect(await newHost()).toMatchObject(onNew);
      expect(await oldHost()).toMatchObject(onOld);
    }
    expect(await oldHost()).toMatchObject({ json: { errcode: 0 } });

    fake.state.failNext('department.get', 'server_error');
    const broken = await oldHost();
    expect(broken.status).toBe(502);
    expect(broken.contentType).toContain('text/html');
    expect(broken.json).toBeUndefined();
    expect(fake.state.calls.at(-1)).toMatchObject({ api: 'department.get', status: 502, errorCode: 'http_502' });
  });

  it('setDown: every API answers 503 with an HTML page, the page and state stay up', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    fake.state.setDown(true);
    for (const answer of [
      await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' }, { token }),
      await callApi(fake, 'POST', '/v1.0/oauth2/accessToken', { appKey: APP.appKey, appSecret: APP.appSecret }, { token: null }),
    ]) {
      expect(answer.status).toBe(503);
      expect(answer.contentType).toContain('text/html');
    }
    expect((await fetch(`${fake.url}/`)).status).toBe(200);
    expect((await fetch(`${fake.url}/_sandbox/state.json`)).status).toBe(200);
    fake.state.setDown(false);
    expect((await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' }, { token })).json?.errcode).toBe(0);
  });

  it('setLatencyMs holds every answer back', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    fake.state.setLatencyMs(150);
    const started = performance.now();
    await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' }, { token });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});
