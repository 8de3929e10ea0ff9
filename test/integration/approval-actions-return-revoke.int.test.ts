import { listNotifications } from '../../db/notifications';
import {
  actOk,
  chainFlow,
  definitionWith,
  expectRefused,
  publishChain,
  startActionStack,
  startInstance,
  taskOf,
  taskRows,
  timelineOf,
  viewOf,
} from '../support/action-fixtures';
import { publishFlow, uid } from '../support/fixtures';
import { type TestStack } from '../support/test-stack';

/** SPEC §5 return (退回), resubmit and revoke (撤回审批) over HTTP. */

let stack: TestStack;
/** start → n1 (u_a; any) → n2 (u_b; any) → end */
let twoNodeFlow: string;
/** start → n1 (u_a; any) → n2 (u_b, u_c; all) → n3 (u_d; any) → end */
let threeNodeFlow: string;

beforeAll(async () => {
  stack = await startActionStack();
  twoNodeFlow = await publishChain(stack, 'ret_two', [
    { id: 'n1', approvers: ['u_a'] },
    { id: 'n2', approvers: ['u_b'] },
  ]);
  threeNodeFlow = await publishChain(stack, 'ret_three', [
    { id: 'n1', approvers: ['u_a'] },
    { id: 'n2', approvers: ['u_b', 'u_c'], mode: 'all' },
    { id: 'n3', approvers: ['u_d'] },
  ]);
});
afterAll(() => stack?.stop());

describe('return (退回) to an earlier approval node', () => {
  it('node 2 returns to node 1: node 2 tasks close returned, node 1 gets a new pending task, and the flow goes on from there', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    const first = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const n2Task = taskOf(first, 'u_b', { nodeId: 'n2' });
    const returned = await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_b', targetNodeId: 'n1', comment: '请重新审核' });
    expect(returned.status).toBe('running');
    expect(returned.returnedToInitiator).toBe(false);
    expect(returned.currentNodeIds).toEqual(['n1']);
    expect(taskRows(returned)).toEqual([
      ['n1', 'u_a', 'approved'],
      ['n2', 'u_b', 'returned'],
      ['n1', 'u_a', 'pending'],
    ]);
    expect(taskOf(returned, 'u_b')).toMatchObject({ taskId: n2Task.taskId, comment: '请重新审核' });
    const events = (await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'returned');
    expect(events).toEqual([
      expect.objectContaining({ actorId: 'u_b', taskId: n2Task.taskId, nodeId: 'n2', data: expect.objectContaining({ targetNodeId: 'n1' }) }),
    ]);

    // The earlier approval is undone: u_a must approve again (no dedupe from the returned pass).
    const again = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    expect(again.currentNodeIds).toEqual(['n2']);
    expect(taskOf(again, 'u_b', { status: 'pending' }).taskId).not.toBe(n2Task.taskId);
    expect((await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' })).status).toBe('approved');
  });

  it("closes every open task of the returning node as returned (mode all: the co-signer's too)", async () => {
    const view = await startInstance(stack, threeNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const returned = await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_c', targetNodeId: 'n1' });
    expect(taskRows(returned)).toEqual([
      ['n1', 'u_a', 'approved'],
      ['n2', 'u_b', 'returned'],
      ['n2', 'u_c', 'returned'],
      ['n1', 'u_a', 'pending'],
    ]);
    expect(returned.currentNodeIds).toEqual(['n1']);
  });

  it('to an unknown node, a node not yet completed, the current node or the end → 422 INVALID_TARGET_NODE, without a trace', async () => {
    const view = await startInstance(stack, threeNodeFlow);
    await expectRefused(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'n2' }, 422, 'INVALID_TARGET_NODE');
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    for (const targetNodeId of ['nope', 'n3', 'n2', 'end']) {
      await expectRefused(stack, view.instanceId, { type: 'return', actorId: 'u_b', targetNodeId }, 422, 'INVALID_TARGET_NODE');
    }
  });

  it('without targetNodeId → 400 VALIDATION_FAILED naming the field', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    const refused = await expectRefused(stack, view.instanceId, { type: 'return', actorId: 'u_a' }, 400, 'VALIDATION_FAILED');
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'targetNodeId' })]);
  });

  it('resubmit after a return to a node (not to the initiator) → 409 NOT_RETURNED', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_b', targetNodeId: 'n1' });
    await expectRefused(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator' }, 409, 'NOT_RETURNED');
  });
});

describe('return to the initiator and resubmit', () => {
  it('return to "start": returnedToInitiator, currentNodeIds ["start"], every open task returned; nothing pending until resubmit', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const returned = await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_b', targetNodeId: 'start', comment: '材料不全' });
    expect(returned.status).toBe('running');
    expect(returned.returnedToInitiator).toBe(true);
    expect(returned.currentNodeIds).toEqual(['start']);
    expect(taskRows(returned)).toEqual([
      ['n1', 'u_a', 'approved'],
      ['n2', 'u_b', 'returned'],
    ]);
    // Nobody may act on the returned tasks; there is nothing to urge.
    await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_b' }, 409, 'TASK_NOT_PENDING');
    await expectRefused(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' }, 409, 'NOTHING_TO_URGE');
    expect((await stack.temporal.workflow.getHandle(view.instanceId).describe()).status.name).toBe('RUNNING');
  });

  it('resubmit by the initiator with a new form runs the flow again from the start node, with the new form', async () => {
    const view = await startInstance(stack, twoNodeFlow, { amount: 100, title: '初稿' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_b', targetNodeId: 'start' });

    const resubmitted = await actOk(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator', form: { amount: 80, title: '修改稿' } });
    expect(resubmitted.status).toBe('running');
    expect(resubmitted.returnedToInitiator).toBe(false);
    expect(resubmitted.form).toEqual({ amount: 80, title: '修改稿' });
    expect(resubmitted.currentNodeIds).toEqual(['n1']);
    // From the start: node 1 is asked again (its earlier approval is not reused).
    expect(taskRows(resubmitted)).toEqual([
      ['n1', 'u_a', 'approved'],
      ['n2', 'u_b', 'returned'],
      ['n1', 'u_a', 'pending'],
    ]);
    expect((await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'resubmitted')).toEqual([
      expect.objectContaining({ actorId: 'u_initiator', data: expect.objectContaining({ formChanged: true }) }),
    ]);

    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const done = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    expect(done.status).toBe('approved');
    expect(done.form).toEqual({ amount: 80, title: '修改稿' });
    expect((await stack.temporal.workflow.getHandle(view.instanceId).result()).form).toEqual({ amount: 80, title: '修改稿' });
  });

  it('the resubmitted form decides the route again', async () => {
    const code = uid('ret_route');
    await publishFlow(
      stack.api,
      definitionWith(code, [
        { id: 'start', type: 'start', next: 'route' },
        { id: 'route', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1000 }, next: 'big' }], default: 'small' },
        { id: 'small', type: 'approval', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' },
        { id: 'big', type: 'approval', approvers: { type: 'users', ids: ['u_b'] }, mode: 'any', next: 'end' },
        { id: 'end', type: 'end' },
      ]),
    );
    const view = await startInstance(stack, code, { amount: 100 });
    expect(view.currentNodeIds).toEqual(['small']);
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'start' });
    const resubmitted = await actOk(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator', form: { amount: 5000 } });
    expect(resubmitted.currentNodeIds).toEqual(['big']);
    expect(taskOf(resubmitted, 'u_b')).toMatchObject({ nodeId: 'big', status: 'pending' });
  });

  it('resubmit without a form keeps the form', async () => {
    const view = await startInstance(stack, twoNodeFlow, { amount: 100, title: '原样' });
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'start' });
    const resubmitted = await actOk(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator' });
    expect(resubmitted.form).toEqual({ amount: 100, title: '原样' });
    expect(resubmitted.currentNodeIds).toEqual(['n1']);
    expect((await timelineOf(stack, view.instanceId)).events.find((e) => e.type === 'resubmitted')?.data).toMatchObject({ formChanged: false });
  });

  it('resubmit by a non-initiator → 403 NOT_INITIATOR, without a trace', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'start' });
    await expectRefused(stack, view.instanceId, { type: 'resubmit', actorId: 'u_a' }, 403, 'NOT_INITIATOR');
    await expectRefused(stack, view.instanceId, { type: 'resubmit', actorId: 'u_outsider', form: { amount: 1 } }, 403, 'NOT_INITIATOR');
  });

  it('resubmit when not returned → 409 NOT_RETURNED, without a trace', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await expectRefused(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator' }, 409, 'NOT_RETURNED');
    await expectRefused(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator', form: { amount: 1 } }, 409, 'NOT_RETURNED');
  });

  it('resubmit with a form that breaks the form schema → 400 VALIDATION_FAILED naming the field, without a trace', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'start' });
    const refused = await expectRefused(
      stack,
      view.instanceId,
      { type: 'resubmit', actorId: 'u_initiator', form: { title: '没有金额' } },
      400,
      'VALIDATION_FAILED',
    );
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'form.amount' })]);
  });

  it('a form on any other action → 400 VALIDATION_FAILED naming form', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    const refused = await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_a', form: { amount: 1 } }, 400, 'VALIDATION_FAILED');
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'form' })]);
  });

  it('the initiator may withdraw while the instance is returned to them', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'start' });
    const withdrawn = await actOk(stack, view.instanceId, { type: 'withdraw', actorId: 'u_initiator' });
    expect(withdrawn.status).toBe('withdrawn');
    expect(withdrawn.returnedToInitiator).toBe(false);
    expect((await stack.temporal.workflow.getHandle(view.instanceId).result()).status).toBe('withdrawn');
  });
});

describe('revoke (撤回审批)', () => {
  it('node-1 approver revokes while node 2 has not acted: its task is pending again, node 2 tasks cancelled', async () => {
    const view = await startInstance(stack, threeNodeFlow);
    const n1Task = taskOf(view, 'u_a');
    const approved = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a', comment: '同意' });
    expect(approved.currentNodeIds).toEqual(['n2']);

    const revoked = await actOk(stack, view.instanceId, { type: 'revoke', actorId: 'u_a' });
    expect(revoked.status).toBe('running');
    expect(revoked.currentNodeIds).toEqual(['n1']);
    expect(taskRows(revoked)).toEqual([
      ['n1', 'u_a', 'pending'],
      ['n2', 'u_b', 'cancelled'],
      ['n2', 'u_c', 'cancelled'],
    ]);
    expect(taskOf(revoked, 'u_a').taskId).toBe(n1Task.taskId);
    expect(taskOf(revoked, 'u_b').reason).toBe('revoked');
    expect((await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'revoked')).toEqual([
      expect.objectContaining({ actorId: 'u_a', taskId: n1Task.taskId, nodeId: 'n1' }),
    ]);
    // Node 2's assignees can no longer act; node 1's can, and the flow goes on.
    await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_b' }, 409, 'TASK_NOT_PENDING');
    const reapproved = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    expect(reapproved.currentNodeIds).toEqual(['n2']);
    expect(reapproved.tasks.filter((t) => t.nodeId === 'n2' && t.status === 'pending').map((t) => t.assigneeId)).toEqual(['u_b', 'u_c']);
  });

  it('in a two-node flow, revoke by node 1 cancels the node-2 task and node 1 decides again', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const revoked = await actOk(stack, view.instanceId, { type: 'revoke', actorId: 'u_a' });
    expect(taskRows(revoked)).toEqual([
      ['n1', 'u_a', 'pending'],
      ['n2', 'u_b', 'cancelled'],
    ]);
    const rejected = await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_a' });
    expect(rejected.status).toBe('rejected');
  });

  it('within a node still open (mode all): the approval is taken back and the task is pending again', async () => {
    const view = await startInstance(stack, threeNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    const revoked = await actOk(stack, view.instanceId, { type: 'revoke', actorId: 'u_b' });
    expect(revoked.currentNodeIds).toEqual(['n2']);
    expect(taskOf(revoked, 'u_b').status).toBe('pending');
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect((await viewOf(stack, view.instanceId)).currentNodeIds).toEqual(['n2']);
  });

  it('after node 2 acted (one co-signer approved) → 409 REVOKE_NOT_ALLOWED, without a trace', async () => {
    const view = await startInstance(stack, threeNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    await expectRefused(stack, view.instanceId, { type: 'revoke', actorId: 'u_a' }, 409, 'REVOKE_NOT_ALLOWED');
  });

  it('after node 2 completed → 409 REVOKE_NOT_ALLOWED, without a trace', async () => {
    const view = await startInstance(stack, threeNodeFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    const atN3 = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(atN3.currentNodeIds).toEqual(['n3']);
    await expectRefused(stack, view.instanceId, { type: 'revoke', actorId: 'u_a' }, 409, 'REVOKE_NOT_ALLOWED');
  });

  it('by someone with no standing approval (a pending assignee, an outsider) → 409 REVOKE_NOT_ALLOWED, without a trace', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await expectRefused(stack, view.instanceId, { type: 'revoke', actorId: 'u_a' }, 409, 'REVOKE_NOT_ALLOWED');
    await expectRefused(stack, view.instanceId, { type: 'revoke', actorId: 'u_outsider' }, 409, 'REVOKE_NOT_ALLOWED');
  });

  it('a rejection cannot be revoked → 409 REVOKE_NOT_ALLOWED', async () => {
    const code = uid('ret_any2');
    await publishFlow(stack.api, chainFlow(code, [{ id: 'n1', approvers: ['u_a', 'u_b'], mode: 'any' }]));
    const view = await startInstance(stack, code);
    await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_a' });
    await expectRefused(stack, view.instanceId, { type: 'revoke', actorId: 'u_a' }, 409, 'REVOKE_NOT_ALLOWED');
  });
});

describe('urge after a return', () => {
  it('the re-entered node tasks are new tasks and may be urged', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' });
    await actOk(stack, view.instanceId, { type: 'return', actorId: 'u_a', targetNodeId: 'start' });
    const resubmitted = await actOk(stack, view.instanceId, { type: 'resubmit', actorId: 'u_initiator' });
    await actOk(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' });
    const rows = await listNotifications(stack.database.db, { instanceId: view.instanceId });
    expect(rows.map((n) => [n.kind, n.recipientId, n.taskId])).toEqual([
      ['urge', 'u_a', taskOf(view, 'u_a').taskId],
      ['urge', 'u_a', taskOf(resubmitted, 'u_a', { status: 'pending' }).taskId],
    ]);
  });
});
