import type { SignedClient } from '../../client/signed-client';
import { expectOk } from './fixtures';

/** A test user, with their DingTalk account when they have one (`dingtalk` is the userId, `union` the unionId). */
export interface DingTalkPerson {
  id: string;
  name: string;
  dingtalk?: string;
  union?: string;
  roles?: string[];
}

/** The fake DingTalk's org: one department holding everyone who has a DingTalk account. */
export function fakeOrgOf(people: readonly DingTalkPerson[]) {
  return {
    departments: [{ dept_id: 2, name: '测试部', parent_id: 1 }],
    users: people.flatMap((p) => (p.dingtalk && p.union ? [{ userid: p.dingtalk, unionid: p.union, name: p.name, dept_id_list: [2] }] : [])),
  };
}

/** The same people pushed to the API (department `d1`), bound to their DingTalk accounts. */
export async function syncPeople(api: SignedClient, people: readonly DingTalkPerson[]): Promise<void> {
  await expectOk(
    api.request('POST', '/api/v1/sync/users', {
      mode: 'incremental',
      users: people.map((p) => ({
        id: p.id,
        name: p.name,
        deptIds: ['d1'],
        ...(p.roles ? { roles: p.roles } : {}),
        ...(p.dingtalk ? { dingtalkUserId: p.dingtalk, dingtalkUnionId: p.union } : {}),
      })),
    }),
  );
}
