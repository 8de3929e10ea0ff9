import { createActivities } from '../../activities';
import { listNotifications } from '../../db/notifications';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const instanceId = 'approval:po:BK-notify';

describe('notify activity: the notifications outbox', () => {
  it('writes one row per recipient, and the same key again (an activity retry) writes nothing more', async () => {
    const { notify } = createActivities({ db: stack.database.db, secretBox: stack.secretBox });
    const input = {
      key: `${instanceId}:reminder:1`,
      instanceId,
      kind: 'reminder',
      recipients: ['u_a', 'u_b'],
      nodeId: 'mgr',
      taskIds: ['t1', 't2'],
      title: '请审批：采购订单 BK-notify',
      payload: { flowCode: 'po', businessKey: 'BK-notify' },
    };
    expect(await notify(input)).toEqual({ inserted: 2 });
    expect(await notify(input)).toEqual({ inserted: 0 });

    const payload = { ...input.payload, taskIds: ['t1', 't2'] };
    expect(await listNotifications(stack.database.db, { instanceId })).toEqual([
      expect.objectContaining({
        key: `${input.key}:u_a`,
        recipientId: 'u_a',
        taskId: 't1',
        kind: 'reminder',
        nodeId: 'mgr',
        title: input.title,
        payload,
        deliveredAt: null,
      }),
      expect.objectContaining({ key: `${input.key}:u_b`, recipientId: 'u_b', taskId: 't2', payload }),
    ]);
  });

  it('a recipient listed twice gets one row; taskIds that are not one per recipient stay in the payload only', async () => {
    const { notify } = createActivities({ db: stack.database.db, secretBox: stack.secretBox });
    const urge = { key: `${instanceId}:urge:2`, instanceId, kind: 'urge', recipients: ['u_a', 'u_a'], taskIds: ['t1', 't3', 't4'], title: '催办' };
    expect(await notify(urge)).toEqual({ inserted: 1 });
    const forA = await listNotifications(stack.database.db, { instanceId, recipientId: 'u_a' });
    expect(forA.filter((n) => n.kind === 'urge')).toEqual([
      expect.objectContaining({ key: `${urge.key}:u_a`, taskId: null, payload: { taskIds: ['t1', 't3', 't4'] } }),
    ]);
  });

  it('a new key is a new notification; rows can be listed per recipient', async () => {
    const { notify } = createActivities({ db: stack.database.db, secretBox: stack.secretBox });
    const cc = { key: `${instanceId}:cc:notify_node`, instanceId, kind: 'cc', recipients: ['u_c'], title: '抄送' };
    expect(await notify(cc)).toEqual({ inserted: 1 });
    expect(await notify({ ...cc, key: `${instanceId}:urge:1`, kind: 'urge' })).toEqual({ inserted: 1 });
    expect(await notify({ ...cc, recipients: [] })).toEqual({ inserted: 0 });

    const forC = await listNotifications(stack.database.db, { recipientId: 'u_c' });
    expect(forC.map((n) => [n.kind, n.nodeId, n.taskId, n.payload])).toEqual([
      ['cc', null, null, {}],
      ['urge', null, null, {}],
    ]);
    expect(await listNotifications(stack.database.db, { instanceId: 'approval:po:other' })).toEqual([]);
  });
});
