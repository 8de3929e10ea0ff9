import { MockActivityEnvironment } from '@temporalio/testing';
import { createDelegation } from '../../db/delegations';
import { syncUsers } from '../../db/org';
import type { ResolvableSource } from '../../engine/assignment';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createOrgActivities } from './org-activities';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await syncUsers(db.database.db, 'incremental', [
    { id: 'u_init', name: '发起人', deptIds: ['d'], managerId: 'u_mgr' },
    { id: 'u_mgr', name: '主管', deptIds: ['d'] },
    { id: 'u_a', name: '甲', deptIds: ['d'] },
    { id: 'u_b', name: '乙', deptIds: ['d'] },
  ]);
  const now = Date.now();
  await createDelegation(db.database.db, { delegatorId: 'u_a', delegateId: 'u_b', startsAt: new Date(now - 60_000), endsAt: new Date(now + 3_600_000) });
});
afterAll(() => db?.drop());

const request = (source: ResolvableSource, applyDelegation: boolean) => ({
  instanceId: 'approval:po:1',
  flowCode: 'po',
  subjectId: 'u_init',
  initiatorId: 'u_init',
  source,
  applyDelegation,
});

describe('resolveApprovers (activity)', () => {
  it('answers the active users of the source as assignments, following delegations for tasks', async () => {
    const { resolveApprovers } = createOrgActivities(db.database.db);
    const env = new MockActivityEnvironment();
    expect(await env.run(resolveApprovers, request({ type: 'users', ids: ['u_a', 'u_gone', 'u_mgr'] }, true))).toEqual([
      { userId: 'u_b', delegatedFrom: 'u_a' },
      { userId: 'u_mgr' },
    ]);
  });

  it('leaves delegations out for cc recipients, and resolves the reporting line', async () => {
    const { resolveApprovers } = createOrgActivities(db.database.db);
    const env = new MockActivityEnvironment();
    expect(await env.run(resolveApprovers, request({ type: 'users', ids: ['u_a'] }, false))).toEqual([{ userId: 'u_a' }]);
    expect(await env.run(resolveApprovers, request({ type: 'manager' }, true))).toEqual([{ userId: 'u_mgr' }]);
  });
});
