import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Db } from '../../db/client';
import { DingTalkError } from '../../integrations/dingtalk/dingtalk-api';
import { dingTalkTestOrg } from '../../test/support/dingtalk-org-fixture';
import { InMemoryDingTalk } from '../../test/support/in-memory-dingtalk';
import { createDingTalkOrgActivities, type DingTalkOrgActivities, type DingTalkUserPageRead } from './dingtalk-org-activities';

/** Failing activities are what some tests expect: the worker's warning about each is noise here. */
const activityEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

/** The DingTalk reads need no database. */
const noDb = {} as Db;

/** One page read in `env` (typed: `run` cannot infer the answer of an activity it is handed). */
const readPage = (env: MockActivityEnvironment, activity: DingTalkOrgActivities['readDingTalkUserPage'], input: { deptId: number; cursor: number }) =>
  env.run(activity, input) as Promise<DingTalkUserPageRead>;

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected the activity to fail');
}

describe('the DingTalk org activities', () => {
  it('read one department: details (its managers) and its children', async () => {
    const { readDingTalkDepartment } = createDingTalkOrgActivities(noDb, new InMemoryDingTalk(dingTalkTestOrg()));
    expect(await activityEnvironment().run(readDingTalkDepartment, 3)).toEqual({
      deptId: 3,
      name: '研发部',
      parentId: 1,
      managerUserIds: ['r_head'],
      childIds: [5],
    });
  });

  it('read one page of users with each one’s details, heartbeating per user', async () => {
    const dingtalk = new InMemoryDingTalk(dingTalkTestOrg(), 2);
    const { readDingTalkUserPage } = createDingTalkOrgActivities(noDb, dingtalk);
    const env = activityEnvironment();
    let heartbeats = 0;
    env.on('heartbeat', () => heartbeats++);
    expect(await env.run(readDingTalkUserPage, { deptId: 5, cursor: 0 })).toEqual({
      users: [
        { userid: 'e_both', unionid: 'union_e_both', name: '两栖员工', deptIds: [4, 5], managerUserId: 'r_head' },
        { userid: 'p_lead', unionid: 'union_p_lead', name: '平台组长', deptIds: [5] },
      ],
      hasMore: true,
      nextCursor: 2,
    });
    expect(heartbeats).toBe(2);
    expect(await env.run(readDingTalkUserPage, { deptId: 5, cursor: 2 })).toMatchObject({
      users: [{ userid: 'e_platform', managerUserId: 'gone' }],
      hasMore: false,
    });
    expect(dingtalk.calls).toEqual(['listDepartmentUsers(5,0)', 'getUser(e_both)', 'getUser(p_lead)', 'listDepartmentUsers(5,2)', 'getUser(e_platform)']);
  });

  it('leave out a member gone between the list and their details', async () => {
    const dingtalk = new InMemoryDingTalk(dingTalkTestOrg());
    dingtalk.failNext('getUser(e_east)', 1, new DingTalkError('topapi/v2/user/get', 'not_found', '60121', '找不到该用户'));
    const { readDingTalkUserPage } = createDingTalkOrgActivities(noDb, dingtalk);
    const page = await readPage(activityEnvironment(), readDingTalkUserPage, { deptId: 4, cursor: 0 });
    expect(page.users.map((u) => u.userid)).toEqual(['e_both']);
  });

  it('fail a page DingTalk could not answer retryably (the retry policy runs it again), a refused one for good', async () => {
    const dingtalk = new InMemoryDingTalk(dingTalkTestOrg());
    const { readDingTalkUserPage, readDingTalkDepartment } = createDingTalkOrgActivities(noDb, dingtalk);
    const env = activityEnvironment();

    dingtalk.failNext('listDepartmentUsers(2,0)');
    expect(await failureOf(env.run(readDingTalkUserPage, { deptId: 2, cursor: 0 }))).toMatchObject({ type: 'DingTalk.server', nonRetryable: false });
    expect((await readPage(env, readDingTalkUserPage, { deptId: 2, cursor: 0 })).users.map((u) => u.userid)).toEqual(['s_head']);

    dingtalk.failNext('getUser(s_head)', 1, new DingTalkError('topapi/v2/user/get', 'throttled', '90018', '限流'));
    expect(await failureOf(env.run(readDingTalkUserPage, { deptId: 2, cursor: 0 }))).toMatchObject({ type: 'DingTalk.throttled', nonRetryable: false });

    dingtalk.failNext('getDepartment(2)', 1, new DingTalkError('topapi/v2/department/get', 'permission', '60011', '没有调用该接口的权限'));
    expect(await failureOf(env.run(readDingTalkDepartment, 2))).toMatchObject({ type: 'DingTalk.permission', nonRetryable: true });
    expect(await failureOf(env.run(readDingTalkDepartment, 99))).toMatchObject({ type: 'DingTalk.not_found', nonRetryable: true });
  });

  it('refuse for good when DingTalk is not configured', async () => {
    const { readDingTalkDepartment, readDingTalkUserPage } = createDingTalkOrgActivities(noDb, undefined);
    const env = activityEnvironment();
    for (const run of [() => env.run(readDingTalkDepartment, 1), () => env.run(readDingTalkUserPage, { deptId: 1, cursor: 0 })]) {
      expect(await failureOf(run())).toMatchObject({ message: 'DingTalk is not configured', type: 'DingTalkNotConfigured', nonRetryable: true });
    }
  });
});
