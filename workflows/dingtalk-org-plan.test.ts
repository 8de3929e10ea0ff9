import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createDingTalkOrgActivities } from '../activities/dingtalk-org/dingtalk-org-activities';
import type { Db } from '../db/client';
import { dingTalkTestOrg, TEST_ORG_MANAGERS } from '../test/support/dingtalk-org-fixture';
import { InMemoryDingTalk } from '../test/support/in-memory-dingtalk';
import {
  collectDingTalkOrg,
  describeWalk,
  managerOf,
  orgRecordsOf,
  type DingTalkOrgReader,
  type OrgWalkProgress,
  type WalkedDepartment,
} from './dingtalk-org-plan';

/** Failing activities are what some tests expect: the worker's warning about each is noise here. */
const activityEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

/** The walk reads through the real activities (no database needed for reads) over an in-memory DingTalk. */
function readerOver(dingtalk: InMemoryDingTalk): DingTalkOrgReader {
  const activities = createDingTalkOrgActivities({} as Db, dingtalk);
  const env = activityEnvironment();
  return {
    department: (deptId) => env.run(activities.readDingTalkDepartment, deptId),
    userPage: (deptId, cursor) => env.run(activities.readDingTalkUserPage, { deptId, cursor }),
  };
}

describe('collectDingTalkOrg: the walk', () => {
  it('goes breadth-first from the root, each department’s users page after page until has_more is false', async () => {
    const dingtalk = new InMemoryDingTalk(dingTalkTestOrg(), 2);
    const collected = await collectDingTalkOrg(readerOver(dingtalk), { concurrency: 1 });

    expect(collected.departments.map((d) => [d.deptId, d.parentId])).toEqual([
      [1, undefined],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 3],
    ]);
    const listCalls = dingtalk.calls.filter((c) => !c.startsWith('getUser'));
    expect(listCalls).toEqual([
      'getDepartment(1)',
      'listSubDepartments(1)',
      'listDepartmentUsers(1,0)',
      'getDepartment(2)',
      'listSubDepartments(2)',
      'listDepartmentUsers(2,0)',
      'getDepartment(3)',
      'listSubDepartments(3)',
      'listDepartmentUsers(3,0)',
      'getDepartment(4)',
      'listSubDepartments(4)',
      'listDepartmentUsers(4,0)',
      'getDepartment(5)',
      'listSubDepartments(5)',
      'listDepartmentUsers(5,0)',
      'listDepartmentUsers(5,2)',
    ]);
    // e_both is a member of 4 and of 5: listed (and read) by both, kept once.
    expect(collected.users.map((u) => u.userid)).toEqual(['boss', 's_head', 'r_head', 'e_east', 'e_both', 'p_lead', 'e_platform']);
    expect(collected.users.find((u) => u.userid === 'e_both')).toEqual({
      userid: 'e_both',
      unionid: 'union_e_both',
      name: '两栖员工',
      deptIds: [4, 5],
      managerUserId: 'r_head',
    });
  });

  it('reads a level’s departments side by side and still answers in breadth-first order', async () => {
    const dingtalk = new InMemoryDingTalk(dingTalkTestOrg(), 2);
    const collected = await collectDingTalkOrg(readerOver(dingtalk), { concurrency: 8 });
    expect(collected.departments.map((d) => d.deptId)).toEqual([1, 2, 3, 4, 5]);
    expect(collected.users).toHaveLength(7);
  });

  it('reports its progress as it goes, ending with everything read', async () => {
    const seen: OrgWalkProgress[] = [];
    await collectDingTalkOrg(readerOver(new InMemoryDingTalk(dingTalkTestOrg(), 2)), { onProgress: (p) => seen.push(p) });
    expect(seen[0]).toEqual({ level: 0, departmentsRead: 0, departmentsFound: 1, pagesRead: 0, usersFound: 0 });
    expect(seen.at(-1)).toEqual({ level: 3, departmentsRead: 5, departmentsFound: 5, pagesRead: 6, usersFound: 7 });
    expect(describeWalk(seen.at(-1)!)).toContain('departments: 5 read of 5 found');
  });

  it('fails the walk, for good, when DingTalk says has_more without a next cursor', async () => {
    const reader: DingTalkOrgReader = {
      department: async (deptId) => ({ deptId, name: 'root', managerUserIds: [], childIds: [] }),
      userPage: async () => ({ users: [], hasMore: true }),
    };
    await expect(collectDingTalkOrg(reader)).rejects.toMatchObject({ type: 'DingTalk.paging', nonRetryable: true });
  });
});

describe('managerOf: the reporting line', () => {
  it('is manager_userid, else the first department manager who is not the user, walking up the parents', async () => {
    const collected = await collectDingTalkOrg(readerOver(new InMemoryDingTalk(dingTalkTestOrg(), 2)));
    const departments = new Map(collected.departments.map((d) => [d.deptId, d]));
    const known = new Set(collected.users.map((u) => u.userid));
    expect(Object.fromEntries(collected.users.map((u) => [u.userid, managerOf(u, departments, known)]))).toEqual(TEST_ORG_MANAGERS);
  });

  it('skips co-managers who left and stops at the root', () => {
    const departments = new Map<number, WalkedDepartment>([
      [1, { deptId: 1, name: 'root', managerUserIds: ['ceo'], childIds: [7] }],
      [7, { deptId: 7, name: 'team', parentId: 1, managerUserIds: ['left', 'me', 'co'], childIds: [] }],
    ]);
    const me = { userid: 'me', name: '我', deptIds: [7] };
    expect(managerOf(me, departments, new Set(['me', 'co', 'ceo']))).toBe('co');
    expect(managerOf(me, departments, new Set(['me', 'ceo']))).toBe('ceo');
    expect(managerOf({ ...me, userid: 'ceo', deptIds: [1] }, departments, new Set(['ceo']))).toBeUndefined();
  });
});

describe('orgRecordsOf: what is written', () => {
  it('maps department ids to strings (root included), users to their DingTalk userids with unionIds and managers', async () => {
    const records = orgRecordsOf(await collectDingTalkOrg(readerOver(new InMemoryDingTalk(dingTalkTestOrg(), 2))));
    expect(records.departments).toEqual([
      { id: '1', name: '示例公司', leaderIds: ['boss'] },
      { id: '2', name: '销售部', parentId: '1', leaderIds: ['s_head'] },
      { id: '3', name: '研发部', parentId: '1', leaderIds: ['r_head'] },
      { id: '4', name: '华东销售', parentId: '2', leaderIds: [] },
      { id: '5', name: '平台组', parentId: '3', leaderIds: ['p_lead'] },
    ]);
    expect(records.users.find((u) => u.id === 'e_both')).toEqual({
      id: 'e_both',
      name: '两栖员工',
      deptIds: ['4', '5'],
      managerId: 'r_head',
      dingtalkUserId: 'e_both',
      dingtalkUnionId: 'union_e_both',
    });
    expect(records.users.find((u) => u.id === 's_head')).toMatchObject({ mobile: '13800000001', managerId: 'boss' });
    expect(records.users.find((u) => u.id === 'boss')).toEqual({
      id: 'boss',
      name: '老板',
      title: '总经理',
      deptIds: ['1'],
      dingtalkUserId: 'boss',
      dingtalkUnionId: 'union_boss',
    });
  });
});
