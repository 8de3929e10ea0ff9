import { demoDepartments, demoUsers } from '../../db/seed-demo';
import type { FakeOrg } from './fake-org';

/** The demo org as DingTalk holds it: the seed's departments under the root (dept 1), each demo user with their DingTalk ids. */
export function demoOrg(): FakeOrg {
  const deptIds = new Map(demoDepartments.map((d, i) => [d.id, i + 2]));
  const dingtalkIdOf = new Map(demoUsers.map((u) => [u.id, u.dingtalkUserId]));
  return {
    departments: demoDepartments.map((d) => ({
      dept_id: deptIds.get(d.id)!,
      name: d.name,
      parent_id: d.parentId ? deptIds.get(d.parentId)! : 1,
      managerUserIds: d.leaderIds.map((id) => dingtalkIdOf.get(id)!),
    })),
    users: demoUsers.map((u) => ({
      userid: u.dingtalkUserId,
      unionid: u.dingtalkUnionId,
      name: u.name,
      title: u.title,
      email: u.email,
      dept_id_list: u.deptIds.map((id) => deptIds.get(id)!),
      ...('managerId' in u && u.managerId ? { manager_userid: dingtalkIdOf.get(u.managerId)! } : {}),
    })),
  };
}
