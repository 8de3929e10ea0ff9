import { MockActivityEnvironment } from '@temporalio/testing';
import { listNotifications } from '../../db/notifications';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createNotifyActivities } from './notify';

let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase()));
afterAll(() => db?.drop());

const input = {
  key: 'approval:po:1:reminder:1',
  instanceId: 'approval:po:1',
  kind: 'reminder',
  recipients: ['u_a', 'u_b'],
  nodeId: 'mgr',
  taskIds: ['mgr.1', 'mgr.2'],
  title: '待审批提醒: 采购 1',
};

describe('notify (activity)', () => {
  it('queues one notification per recipient, each with its own task when there is one per recipient', async () => {
    const { notify } = createNotifyActivities(db.database.db);
    expect(await new MockActivityEnvironment().run(notify, input)).toEqual({ inserted: 2 });
    const rows = await listNotifications(db.database.db, { instanceId: input.instanceId });
    expect(rows.map((r) => [r.key, r.recipientId, r.taskId, r.payload])).toEqual([
      [`${input.key}:u_a`, 'u_a', 'mgr.1', { taskIds: ['mgr.1', 'mgr.2'] }],
      [`${input.key}:u_b`, 'u_b', 'mgr.2', { taskIds: ['mgr.1', 'mgr.2'] }],
    ]);
  });

  it('adds nothing when Temporal retries it (a later attempt of the same notification)', async () => {
    const { notify } = createNotifyActivities(db.database.db);
    expect(await new MockActivityEnvironment({ attempt: 2 }).run(notify, input)).toEqual({ inserted: 0 });
    expect(await listNotifications(db.database.db, { instanceId: input.instanceId })).toHaveLength(2);
  });

  it('names no task when the tasks do not pair with the recipients (an urge of several tasks)', async () => {
    const { notify } = createNotifyActivities(db.database.db);
    const urge = { ...input, key: 'approval:po:1:urge:2', kind: 'urge', recipients: ['u_a'], taskIds: ['mgr.1', 'mgr.2'] };
    await new MockActivityEnvironment().run(notify, urge);
    const [row] = (await listNotifications(db.database.db, { instanceId: input.instanceId })).filter((r) => r.kind === 'urge');
    expect(row).toMatchObject({ recipientId: 'u_a', taskId: null, payload: { taskIds: ['mgr.1', 'mgr.2'] } });
  });
});
