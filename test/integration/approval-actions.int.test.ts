import { listNotifications } from '../../db/notifications';
import {
  act,
  actOk,
  definitionWith,
  expectRefused,
  publishChain,
  startActionStack,
  startInstance,
  taskOf,
  taskRows,
  timelineOf,
  updateCounts,
  viewOf,
  waitForAcceptedUpdates,
  waitForWorkflowView,
  whileApproverLookupsBlocked,
} from '../support/action-fixtures';
import { publishFlow, uid } from '../support/fixtures';
import { type TestStack } from '../support/test-stack';

/**
 * SPEC §5 actions over HTTP: transfer, withdraw, comment, urge, repeated actionIds and the task
 * refusals shared by every task action. Signers: approval-actions-signers; return, resubmit and
 * revoke: approval-actions-return-revoke.
 */

let stack: TestStack;
/** start → approve (u_a, u_b; any) → end */
let anyFlow: string;
/** start → approve (u_a, u_b; all) → end */
let allFlow: string;
/** start → n1 (u_a; any) → n2 (u_b; any) → end */
let twoNodeFlow: string;

beforeAll(async () => {
  stack = await startActionStack();
  anyFlow = await publishChain(stack, 'act_any', [{ id: 'approve', approvers: ['u_a', 'u_b'], mode: 'any' }]);
  allFlow = await publishChain(stack, 'act_all', [{ id: 'approve', approvers: ['u_a', 'u_b'], mode: 'all' }]);
  twoNodeFlow = await publishChain(stack, 'act_two', [
    { id: 'n1', approvers: ['u_a'] },
    { id: 'n2', approvers: ['u_b'] },
  ]);
});
afterAll(() => stack?.stop());

describe('approve / reject', () => {
  it('mode all: the first approve leaves the node open, the second approves the instance; the timeline records both', async () => {
    const view = await startInstance(stack, allFlow);
    const first = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a', comment: 'ok' });
    expect(first.status).toBe('running');
    expect(taskRows(first)).toEqual([
      ['approve', 'u_a', 'approved'],
      ['approve', 'u_b', 'pending'],
    ]);
    const second = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    expect(second.status).toBe('approved');
    const events = (await timelineOf(stack, view.instanceId)).events;
    expect(events.filter((e) => e.type === 'approved').map((e) => [e.actorId, e.taskId])).toEqual([
      ['u_a', taskOf(view, 'u_a').taskId],
      ['u_b', taskOf(view, 'u_b').taskId],
    ]);
  });

  it('mode all: one reject rejects the instance and cancels the other task', async () => {
    const view = await startInstance(stack, allFlow);
    const answer = await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_b', comment: '不同意' });
    expect(answer.status).toBe('rejected');
    expect(taskRows(answer)).toEqual([
      ['approve', 'u_a', 'cancelled'],
      ['approve', 'u_b', 'rejected'],
    ]);
    expect(taskOf(answer, 'u_b').comment).toBe('不同意');
  });
});

describe('transfer (转交)', () => {
  it('closes the task as transferred and gives the target a new pending task, who can then approve', async () => {
    const view = await startInstance(stack, anyFlow);
    const taskOfA = taskOf(view, 'u_a');
    const answer = await actOk(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', taskId: taskOfA.taskId, toUserId: 'u_c', comment: '请丙处理' });
    expect(answer.status).toBe('running');
    expect(taskRows(answer)).toEqual([
      ['approve', 'u_a', 'transferred'],
      ['approve', 'u_b', 'pending'],
      ['approve', 'u_c', 'pending'],
    ]);
    expect(taskOf(answer, 'u_a')).toMatchObject({ taskId: taskOfA.taskId, comment: '请丙处理' });
    expect(taskOf(answer, 'u_a').completedAt).toBeDefined();
    expect(taskOf(answer, 'u_c')).toMatchObject({ nodeId: 'approve', transferredFrom: taskOfA.taskId });
    expect(answer.currentNodeIds).toEqual(['approve']);

    const transferred = (await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'transferred');
    expect(transferred).toEqual([
      expect.objectContaining({ actorId: 'u_a', taskId: taskOfA.taskId, nodeId: 'approve', data: expect.objectContaining({ toUserId: 'u_c' }) }),
    ]);

    // The one who transferred away may no longer act; the target may.
    await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_a' }, 409, 'TASK_NOT_PENDING');
    const done = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(done.status).toBe('approved');
    expect(taskRows(done)).toEqual([
      ['approve', 'u_a', 'transferred'],
      ['approve', 'u_b', 'cancelled'],
      ['approve', 'u_c', 'approved'],
    ]);
  });

  it('in mode all the transferred seat is filled by the target: the node needs the target and the others', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_c' });
    const afterB = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    expect(afterB.status).toBe('running');
    const afterC = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(afterC.status).toBe('approved');
  });

  it('to oneself → 422 TRANSFER_TO_SELF, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_a' }, 422, 'TRANSFER_TO_SELF');
  });

  it('to an unknown user → 422 UNKNOWN_USER naming toUserId, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    const refused = await expectRefused(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_ghost' }, 422, 'UNKNOWN_USER');
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'toUserId' })]);
  });

  it('to someone already assigned on the node → 422 ALREADY_ASSIGNEE, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_b' }, 422, 'ALREADY_ASSIGNEE');
  });

  it('without toUserId → 400 VALIDATION_FAILED naming the field, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    const refused = await expectRefused(stack, view.instanceId, { type: 'transfer', actorId: 'u_a' }, 400, 'VALIDATION_FAILED');
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'toUserId' })]);
    expect(refused.error.message).toContain('toUserId');
  });

  it('by someone who is not an assignee → 403 NOT_ASSIGNEE, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { type: 'transfer', actorId: 'u_outsider', toUserId: 'u_c' }, 403, 'NOT_ASSIGNEE');
  });
});

describe('withdraw (撤销)', () => {
  it('by the initiator: the instance is withdrawn, pending tasks cancelled, acted ones kept, and the workflow ends', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const answer = await actOk(stack, view.instanceId, { type: 'withdraw', actorId: 'u_initiator', comment: '不买了' });
    expect(answer.status).toBe('withdrawn');
    expect(answer.currentNodeIds).toEqual([]);
    expect(answer.completedAt).toBeDefined();
    expect(taskRows(answer)).toEqual([
      ['approve', 'u_a', 'approved'],
      ['approve', 'u_b', 'cancelled'],
    ]);
    expect(taskOf(answer, 'u_b').reason).toBe('withdrawn');
    const result = await stack.temporal.workflow.getHandle(view.instanceId).result();
    expect(result.status).toBe('withdrawn');
    const events = (await timelineOf(stack, view.instanceId)).events;
    expect(events.filter((e) => e.type === 'withdrawn')).toEqual([expect.objectContaining({ actorId: 'u_initiator' })]);
    expect(events.at(-1)).toMatchObject({ type: 'instance_completed', data: { status: 'withdrawn' } });
  });

  it('by someone else (even an assignee) → 403 NOT_INITIATOR, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { type: 'withdraw', actorId: 'u_a' }, 403, 'NOT_INITIATOR');
    await expectRefused(stack, view.instanceId, { type: 'withdraw', actorId: 'u_outsider' }, 403, 'NOT_INITIATOR');
  });

  it('any action on a finished instance → 409 INSTANCE_NOT_RUNNING', async () => {
    const view = await startInstance(stack, anyFlow);
    await actOk(stack, view.instanceId, { type: 'withdraw', actorId: 'u_initiator' });
    await stack.temporal.workflow.getHandle(view.instanceId).result();
    for (const body of [
      { type: 'withdraw', actorId: 'u_initiator' },
      { type: 'approve', actorId: 'u_b' },
      { type: 'comment', actorId: 'u_a', comment: '晚了' },
      { type: 'urge', actorId: 'u_initiator' },
    ]) {
      await expectRefused(stack, view.instanceId, body, 409, 'INSTANCE_NOT_RUNNING');
    }
  });
});

describe('comment', () => {
  it('by a participant (assignee or initiator): 200, no state change, one timeline event each', async () => {
    const view = await startInstance(stack, anyFlow);
    const byA = await actOk(stack, view.instanceId, { type: 'comment', actorId: 'u_a', comment: '请补充报价单' });
    expect(byA.status).toBe('running');
    expect(byA.tasks).toEqual(view.tasks);
    expect(byA.currentNodeIds).toEqual(view.currentNodeIds);
    const byInitiator = await actOk(stack, view.instanceId, { type: 'comment', actorId: 'u_initiator', comment: '已补充' });
    expect(byInitiator.tasks).toEqual(view.tasks);
    const comments = (await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'comment');
    expect(comments).toEqual([
      expect.objectContaining({ actorId: 'u_a', data: expect.objectContaining({ comment: '请补充报价单' }) }),
      expect.objectContaining({ actorId: 'u_initiator', data: expect.objectContaining({ comment: '已补充' }) }),
    ]);
    expect(comments[0]!.seq).toBeLessThan(comments[1]!.seq);
  });

  it('by an assignee whose task is already closed is still a participant', async () => {
    const view = await startInstance(stack, anyFlow);
    await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_a' });
    const answer = await actOk(stack, view.instanceId, { type: 'comment', actorId: 'u_a', comment: '补充说明' });
    expect(taskRows(answer)).toEqual([
      ['approve', 'u_a', 'rejected'],
      ['approve', 'u_b', 'pending'],
    ]);
  });

  it('by an outsider → 403 NOT_PARTICIPANT, without a trace', async () => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { type: 'comment', actorId: 'u_outsider', comment: '路过' }, 403, 'NOT_PARTICIPANT');
    expect((await timelineOf(stack, view.instanceId)).events.some((e) => e.type === 'comment')).toBe(false);
  });

  it('without a comment → 400 VALIDATION_FAILED naming the field', async () => {
    const view = await startInstance(stack, anyFlow);
    const refused = await expectRefused(stack, view.instanceId, { type: 'comment', actorId: 'u_a' }, 400, 'VALIDATION_FAILED');
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'comment' })]);
  });
});

describe('urge (催办)', () => {
  it('by the initiator: 200 and one urge notification per pending assignee; at once again → 409 URGE_TOO_SOON', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const answer = await actOk(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' });
    expect(answer.status).toBe('running');
    expect(taskRows(answer)).toEqual([
      ['approve', 'u_a', 'approved'],
      ['approve', 'u_b', 'pending'],
    ]);
    const rows = await listNotifications(stack.database.db, { instanceId: view.instanceId });
    expect(rows.map((n) => [n.kind, n.recipientId, n.taskId])).toEqual([['urge', 'u_b', taskOf(view, 'u_b').taskId]]);
    expect((await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'urged')).toEqual([expect.objectContaining({ actorId: 'u_initiator' })]);

    await expectRefused(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' }, 409, 'URGE_TOO_SOON');
    expect(await listNotifications(stack.database.db, { instanceId: view.instanceId })).toHaveLength(1);
  });

  it('at most once per task per hour: a task that became pending since the last urge can be urged', async () => {
    const view = await startInstance(stack, anyFlow);
    await actOk(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' });
    const first = await listNotifications(stack.database.db, { instanceId: view.instanceId });
    expect(first.map((n) => n.recipientId).sort()).toEqual(['u_a', 'u_b']);

    const transferred = await actOk(stack, view.instanceId, { type: 'transfer', actorId: 'u_b', toUserId: 'u_c' });
    await actOk(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' });
    const rows = await listNotifications(stack.database.db, { instanceId: view.instanceId });
    expect(rows.slice(first.length).map((n) => [n.kind, n.recipientId, n.taskId])).toEqual([['urge', 'u_c', taskOf(transferred, 'u_c').taskId]]);
  });

  it('by someone other than the initiator → 403 NOT_INITIATOR, without a trace and without notifications', async () => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { type: 'urge', actorId: 'u_a' }, 403, 'NOT_INITIATOR');
    await expectRefused(stack, view.instanceId, { type: 'urge', actorId: 'u_outsider' }, 403, 'NOT_INITIATOR');
    expect(await listNotifications(stack.database.db, { instanceId: view.instanceId })).toEqual([]);
  });

  it('an assignee with pending tasks on two parallel branches is urged, and the instance keeps running', async () => {
    const code = uid('act_fork');
    await publishFlow(
      stack.api,
      definitionWith(code, [
        { id: 'start', type: 'start', next: 'fork' },
        { id: 'fork', type: 'parallel', branches: ['left', 'right'] },
        { id: 'left', type: 'approval', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'join' },
        { id: 'right', type: 'approval', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'join' },
        { id: 'join', type: 'join', next: 'end' },
        { id: 'end', type: 'end' },
      ]),
    );
    const view = await startInstance(stack, code);
    const ready = await viewOf(stack, view.instanceId);
    expect(taskRows(ready).filter((r) => r[2] === 'pending')).toHaveLength(2);

    const urged = await act(stack, view.instanceId, { type: 'urge', actorId: 'u_initiator' });
    expect(urged.status).toBe(200);
    expect(urged.body.status).toBe('running');
    const rows = await listNotifications(stack.database.db, { instanceId: view.instanceId });
    expect(rows.some((n) => n.kind === 'urge' && n.recipientId === 'u_a')).toBe(true);
    const after = await viewOf(stack, view.instanceId);
    expect(after.status).toBe('running');
    expect((await stack.temporal.workflow.getHandle(view.instanceId).describe()).status.name).toBe('RUNNING');
  });
});

describe('repeated actionId', () => {
  it('the same request twice: the same answer, and exactly one update in history', async () => {
    const view = await startInstance(stack, anyFlow);
    const body = { type: 'transfer', actionId: uid('act'), actorId: 'u_a', toUserId: 'u_c' };
    const first = await actOk(stack, view.instanceId, body);
    const again = await actOk(stack, view.instanceId, body);
    expect(again).toEqual(first);
    expect(taskRows(again)).toEqual([
      ['approve', 'u_a', 'transferred'],
      ['approve', 'u_b', 'pending'],
      ['approve', 'u_c', 'pending'],
    ]);
    expect(await updateCounts(stack, view.instanceId)).toEqual({ accepted: 1, completed: 1 });
    expect((await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'transferred')).toHaveLength(1);
  });

  it('the same request twice at once: both get the same answer, and the history has one update', async () => {
    const view = await startInstance(stack, allFlow);
    const body = { type: 'approve', actionId: uid('act'), actorId: 'u_a' };
    const [one, two] = await Promise.all([act(stack, view.instanceId, body), act(stack, view.instanceId, body)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body).toEqual(one.body);
    expect(taskRows(one.body)).toEqual([
      ['approve', 'u_a', 'approved'],
      ['approve', 'u_b', 'pending'],
    ]);
    expect(await updateCounts(stack, view.instanceId)).toEqual({ accepted: 1, completed: 1 });
  });

  it('the same actionId with another action type: the first answer, and nothing done again', async () => {
    const view = await startInstance(stack, anyFlow);
    const actionId = uid('act');
    const first = await actOk(stack, view.instanceId, { type: 'reject', actionId, actorId: 'u_a' });
    const other = await actOk(stack, view.instanceId, { type: 'approve', actionId, actorId: 'u_b' });
    expect(other).toEqual(first);
    expect(taskRows(await viewOf(stack, view.instanceId))).toEqual([
      ['approve', 'u_a', 'rejected'],
      ['approve', 'u_b', 'pending'],
    ]);
    expect(await updateCounts(stack, view.instanceId)).toEqual({ accepted: 1, completed: 1 });
    // With a fresh actionId the approve does happen.
    expect((await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' })).status).toBe('approved');
  });

  it('a refused action does not use up its actionId: once it is allowed, the same actionId goes through', async () => {
    const view = await startInstance(stack, anyFlow);
    const actionId = uid('act');
    await expectRefused(stack, view.instanceId, { type: 'approve', actionId, actorId: 'u_c' }, 403, 'NOT_ASSIGNEE');
    await actOk(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_c' });
    const approved = await actOk(stack, view.instanceId, { type: 'approve', actionId, actorId: 'u_c' });
    expect(approved.status).toBe('approved');
  });
});

describe('task refusals shared by every task action', () => {
  const bodies: Record<string, Record<string, unknown>> = {
    approve: { type: 'approve' },
    reject: { type: 'reject' },
    transfer: { type: 'transfer', toUserId: 'u_c' },
    add_signer: { type: 'add_signer', signers: ['u_c'], position: 'before' },
    return: { type: 'return', targetNodeId: 'start' },
  };

  it.each(Object.keys(bodies))('%s: not an assignee → 403 NOT_ASSIGNEE (with and without taskId)', async (type) => {
    const view = await startInstance(stack, anyFlow);
    const taskOfA = taskOf(view, 'u_a');
    await expectRefused(stack, view.instanceId, { ...bodies[type], type, actorId: 'u_outsider' }, 403, 'NOT_ASSIGNEE');
    await expectRefused(stack, view.instanceId, { ...bodies[type], type, actorId: 'u_b', taskId: taskOfA.taskId }, 403, 'NOT_ASSIGNEE');
  });

  it.each(Object.keys(bodies))('%s: task not pending → 409 TASK_NOT_PENDING', async (type) => {
    const view = await startInstance(stack, anyFlow);
    const taskOfA = taskOf(view, 'u_a');
    await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_a' });
    await expectRefused(stack, view.instanceId, { ...bodies[type], type, actorId: 'u_a', taskId: taskOfA.taskId }, 409, 'TASK_NOT_PENDING');
    await expectRefused(stack, view.instanceId, { ...bodies[type], type, actorId: 'u_a' }, 409, 'TASK_NOT_PENDING');
  });

  it.each(Object.keys(bodies))('%s: unknown taskId → 404 TASK_NOT_FOUND', async (type) => {
    const view = await startInstance(stack, anyFlow);
    await expectRefused(stack, view.instanceId, { ...bodies[type], type, actorId: 'u_a', taskId: 'approve.999' }, 404, 'TASK_NOT_FOUND');
  });
});

describe('an action that arrives while an approver lookup is still running', () => {
  const LOOKUP_HELD_WAIT_MS = 40_000;

  /**
   * u_a approves node 1; node 2's approvers are being looked up (the lookup is held by a lock on
   * the users table) when the second action arrives. The second action is accepted, so its
   * effect must survive the lookup's answer. The lookup is a local activity, run inside the
   * workflow task of the approve: the query and the second action get in when that task
   * heartbeats (at 80 % of the 10 s workflow task timeout), hence the long waits.
   */
  async function secondActionDuringLookup(second: Record<string, unknown> & { type: string; actorId: string }) {
    const view = await startInstance(stack, twoNodeFlow);
    return whileApproverLookupsBlocked(stack, async () => {
      const approve = act(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
      await waitForWorkflowView(stack, view.instanceId, (v) => v.currentNodeIds.includes('n2'), LOOKUP_HELD_WAIT_MS);
      const other = act(stack, view.instanceId, second);
      await waitForAcceptedUpdates(stack, view.instanceId, 2, LOOKUP_HELD_WAIT_MS);
      return { instanceId: view.instanceId, approve, other };
    }).then(async ({ instanceId, approve, other }) => ({ instanceId, approve: await approve, other: await other }));
  }

  it('withdraw: answers withdrawn, and the instance stays withdrawn once the lookup returns', async () => {
    const { instanceId, approve, other } = await secondActionDuringLookup({ type: 'withdraw', actorId: 'u_initiator' });
    expect(approve.status).toBe(200);
    expect(other.status).toBe(200);
    expect(other.body.status).toBe('withdrawn');
    const final = await viewOf(stack, instanceId);
    expect(final.status).toBe('withdrawn');
    expect(final.tasks.filter((t) => t.status === 'pending')).toEqual([]);
  });

  it('comment: the comment stays in the timeline once the lookup returns', async () => {
    const { instanceId, other } = await secondActionDuringLookup({ type: 'comment', actorId: 'u_initiator', comment: '请尽快' });
    expect(other.status).toBe(200);
    const comments = (await timelineOf(stack, instanceId)).events.filter((e) => e.type === 'comment');
    expect(comments).toEqual([expect.objectContaining({ actorId: 'u_initiator', data: expect.objectContaining({ comment: '请尽快' }) })]);
  });
});
