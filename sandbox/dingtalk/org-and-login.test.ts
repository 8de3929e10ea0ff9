import { callOapi, startFake, stopFakes, tokenOf } from './fake-test-client';

afterEach(stopFakes);

describe('the contacts APIs', () => {
  it('listsub answers one level; department/get its managers; 60003 for an unknown department', async () => {
    const fake = await startFake();
    expect((await callOapi(fake, '/topapi/v2/department/listsub', { dept_id: 1 })).json).toMatchObject({
      errcode: 0,
      result: [
        { dept_id: 2, name: '财务部', parent_id: 1 },
        { dept_id: 3, name: '研发部', parent_id: 1 },
      ],
    });
    expect((await callOapi(fake, '/topapi/v2/department/listsub', { dept_id: 3 })).json?.result).toEqual([{ dept_id: 4, name: '平台组', parent_id: 3 }]);
    expect((await callOapi(fake, '/topapi/v2/department/get', { dept_id: 2 })).json?.result).toEqual({
      dept_id: 2,
      name: '财务部',
      parent_id: 1,
      dept_manager_userid_list: ['dt_head'],
    });
    expect((await callOapi(fake, '/topapi/v2/department/get', { dept_id: 1 })).json?.result).toMatchObject({ dept_id: 1 });
    expect((await callOapi(fake, '/topapi/v2/department/get', { dept_id: 99 })).json).toMatchObject({ errcode: 60003 });
    expect((await callOapi(fake, '/topapi/v2/department/listsub', { dept_id: 99 })).json).toMatchObject({ errcode: 60003 });
    expect((await callOapi(fake, '/topapi/v2/department/get', {})).json).toMatchObject({ errcode: 40035 });
  });

  it('user/list pages through direct members with the cursor; size is at most 100', async () => {
    const fake = await startFake();
    const token = await tokenOf(fake);
    const page = (cursor: number, size: number, dept_id = 2) => callOapi(fake, '/topapi/v2/user/list', { dept_id, cursor, size }, { token });
    const first = (await page(0, 2)).json?.result;
    expect(first).toEqual({
      has_more: true,
      next_cursor: 2,
      list: [
        expect.objectContaining({ userid: 'dt_head', unionid: 'un_head', leader: true, admin: true, active: true, dept_id_list: [2] }),
        expect.objectContaining({ userid: 'dt_one', leader: false }),
      ],
    });
    expect((await page(2, 2)).json?.result).toEqual({ has_more: false, list: [expect.objectContaining({ userid: 'dt_two' })] });
    expect((await page(0, 100, 3)).json?.result).toMatchObject({ has_more: false, list: [{ userid: 'dt_one', leader: true }] });
    expect((await page(0, 100, 1)).json?.result).toEqual({ has_more: false, list: [] });
    expect((await page(0, 101)).json?.errcode).toBe(400002);
    expect((await callOapi(fake, '/topapi/v2/user/list', { dept_id: 2, size: 10 }, { token })).json?.errcode).toBe(40035);
  });

  it('user/get answers the reporting line and leadership; 60121 for an unknown user', async () => {
    const fake = await startFake();
    expect((await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_one' })).json?.result).toEqual({
      userid: 'dt_one',
      unionid: 'un_one',
      name: '一号审批人',
      title: '经理',
      dept_id_list: [2, 3],
      manager_userid: 'dt_head',
      leader_in_dept: [
        { dept_id: 2, leader: false },
        { dept_id: 3, leader: true },
      ],
      role_list: [],
      admin: false,
      active: true,
    });
    expect((await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_three' })).json?.result).toMatchObject({ active: false });
    expect((await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_nobody' })).json).toMatchObject({ errcode: 60121, errmsg: '找不到该用户' });
  });

  it('setOrg and addUser change what the APIs answer', async () => {
    const fake = await startFake();
    fake.state.addUser({ userid: 'dt_new', unionid: 'un_new', name: '新人', dept_id_list: [2] });
    expect((await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_new' })).json?.errcode).toBe(0);
    fake.state.setOrg({ departments: [], users: [] });
    expect((await callOapi(fake, '/topapi/v2/user/get', { userid: 'dt_new' })).json?.errcode).toBe(60121);
    expect((await callOapi(fake, '/topapi/v2/department/listsub', { dept_id: 1 })).json?.result).toEqual([]);
  });
});

describe('免登', () => {
  it('a code answers its user once; reused, unknown and expired codes are 40078', async () => {
    let clock = 1_700_000_000_000;
    const fake = await startFake({ now: () => clock, authCodeTtlSeconds: 300 });
    const token = await tokenOf(fake);
    const login = (code: string) => callOapi(fake, '/topapi/v2/user/getuserinfo', { code }, { token });
    const code = fake.state.issueAuthCode('dt_head');
    expect((await login(code)).json).toMatchObject({
      errcode: 0,
      result: { userid: 'dt_head', unionid: 'un_head', name: '财务主管', sys: true, sys_level: 1 },
    });
    for (const bad of [code, 'made-up']) expect((await login(bad)).json).toMatchObject({ errcode: 40078, errmsg: '不存在的临时授权码' });

    const late = fake.state.issueAuthCode('dt_one');
    clock += 301_000;
    expect((await login(late)).json?.errcode).toBe(40078);
    expect((await callOapi(fake, '/topapi/v2/user/getuserinfo', {}, { token })).json?.errcode).toBe(40035);
    expect(() => fake.state.issueAuthCode('dt_nobody')).toThrow('no user');
  });

  it('POST /_sandbox/auth-code gives a code for the page or a test', async () => {
    const fake = await startFake();
    const answer = await fetch(`${fake.url}/_sandbox/auth-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userid: 'dt_two' }),
    });
    const { code } = (await answer.json()) as { code: string };
    expect((await callOapi(fake, '/topapi/v2/user/getuserinfo', { code })).json?.result).toMatchObject({ userid: 'dt_two', sys: false, sys_level: 0 });
    const unknown = await fetch(`${fake.url}/_sandbox/auth-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userid: 'x' }),
    });
    expect(unknown.status).toBe(404);
  });
});
