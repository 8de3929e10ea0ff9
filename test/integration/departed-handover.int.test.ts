import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import type { TodoPage } from '../../db/task-center';
import { expectOk, instancePath, oneApprovalFlow, publishFlow, startBody, testUsers, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * SPEC §6: a `full` org push deactivates whom it leaves out, and their pending tasks are not
 * lost — they go where the node's `onEmpty` points. Real Temporal, real Postgres, over HTTP.
 */
let stack: TestStack;
const admin = { id: 'u_adm', name: '审批管理员', deptIds: ['d1'] };

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

// Everyone active again before each test (an incremental push reactivates whom it lists).
beforeEach(async () => {
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: [...testUsers, admin] }));
});

interface SyncAnswer {
  upserted: number;
  deactivated: number;
  handedOver?: { instances: number; failed: number };
}

/** A full push of everybody but `leaver`. */
const pushWithout = (leaver: string) =>
  expectOk<SyncAnswer>(stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: [...testUsers, admin].filter((u) => u.id !== leaver) }));

async function startOn(definition: FlowDefinition): Promise<InstanceView> {
  await publishFlow(stack.api, definition);
  const body = startBody(definition.code);
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', body), 201);
  return waitForView(stack.api, started.instanceId, (v) => v.tasks.filter((t) => t.status === 'pending').length === 2);
}

const act = (instanceId: string, actorId: string) =>
  expectOk<InstanceView>(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId }));

const timelineTypes = async (instanceId: string) =>
  (await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`))).events.map((e) => e.type);

describe('a full org push hands the leavers’ open tasks over (SPEC §6)', () => {
  it('to_admin: the leaver’s task moves to the flow admin, whose todo list shows it and who decides for the seat', async () => {
    const definition = { ...oneApprovalFlow(uid('handover'), ['u_a', 'u_b'], { mode: 'all', onEmpty: 'to_admin' }), admins: ['u_adm'] };
    const { instanceId } = await startOn(definition);

    const answer = await pushWithout('u_a');
    expect(answer).toMatchObject({ deactivated: 1, handedOver: { instances: 1, failed: 0 } });

    const view = await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.assigneeId === 'u_adm' && t.status === 'pending'));
    const left = view.tasks.find((t) => t.assigneeId === 'u_a')!;
    expect(left).toMatchObject({ status: 'transferred', reason: 'departed' });
    expect(view.tasks.find((t) => t.assigneeId === 'u_adm')).toMatchObject({ transferredFrom: left.taskId, nodeId: 'approve' });
    expect(await timelineTypes(instanceId)).toEqual(expect.arrayContaining(['assignee_departed', 'handed_over']));
    const todo = await expectOk<TodoPage>(stack.api.request('GET', `/api/v1/tasks?assignee=u_adm&flowCode=${definition.code}`));
    expect(todo.items.map((i) => i.instanceId)).toEqual([instanceId]);

    // Nothing left to hand over: a second push tells nobody.
    expect((await pushWithout('u_a')).handedOver).toEqual({ instances: 0, failed: 0 });

    await act(instanceId, 'u_b');
    expect((await act(instanceId, 'u_adm')).status).toBe('approved');
  });

  it('reject (the default): the leaver’s task is rejected, and with mode all so is the instance', async () => {
    const { instanceId } = await startOn(oneApprovalFlow(uid('handover'), ['u_a', 'u_b'], { mode: 'all' }));
    expect((await pushWithout('u_b')).handedOver).toEqual({ instances: 1, failed: 0 });
    const view = await waitForView(stack.api, instanceId, (v) => v.status === 'rejected');
    expect(view.tasks.map((t) => [t.assigneeId, t.status, t.reason])).toEqual([
      ['u_a', 'cancelled', 'instance_rejected'],
      ['u_b', 'rejected', 'departed'],
    ]);
  });

  it('auto_approve: the leaver’s seat is approved, the remaining approver still decides', async () => {
    const { instanceId } = await startOn(oneApprovalFlow(uid('handover'), ['u_a', 'u_b'], { mode: 'all', onEmpty: 'auto_approve' }));
    expect((await pushWithout('u_a')).handedOver).toEqual({ instances: 1, failed: 0 });
    const view = await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.status === 'auto_approved'));
    expect(view.status).toBe('running');
    expect(view.tasks.map((t) => [t.assigneeId, t.status])).toEqual([
      ['u_a', 'auto_approved'],
      ['u_b', 'pending'],
    ]);
    expect((await act(instanceId, 'u_b')).status).toBe('approved');
  });

  it('an incremental push deactivates nobody and hands nothing over', async () => {
    const { instanceId } = await startOn(oneApprovalFlow(uid('handover'), ['u_a', 'u_b'], { mode: 'all' }));
    const answer = await expectOk<SyncAnswer>(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: [admin] }));
    expect(answer).toEqual({ upserted: 1, deactivated: 0, bound: [] });
    expect((await expectOk<InstanceView>(stack.api.request('GET', instancePath(instanceId)))).tasks.map((t) => t.status)).toEqual(['pending', 'pending']);
    await act(instanceId, 'u_a');
    expect((await act(instanceId, 'u_b')).status).toBe('approved');
  });
});
