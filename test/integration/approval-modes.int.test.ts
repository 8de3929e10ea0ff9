import { listNotifications } from '../../db/notifications';
import type { InstanceView } from '../../engine/instance-view';
import { expectOk, instancePath, publishFlow, uid, waitForView } from '../support/fixtures';
import {
  act,
  actOk,
  approval,
  chainFlow,
  nodeTasks,
  pendingAssignees,
  publishOneNode,
  start,
  startSettled,
  syncOrg,
  taskRows,
  timeline,
  waitForNotifications,
} from '../support/engine-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Every approval mode and node policy of SPEC §4 end to end: HTTP start, real worker, real org
 * lookups, actions as Workflow Updates.
 *
 *   u_initiator → u_boss (manager);  u_admin has role approval_admin;  u_fin1, u_fin2 role finance
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  await syncOrg(stack.api, {
    departments: [{ id: 'd1', name: '采购部', leaderIds: ['u_boss'] }],
    users: [
      { id: 'u_initiator', deptIds: ['d1'], managerId: 'u_boss' },
      { id: 'u_boss', deptIds: ['d1'], title: 'Manager' },
      { id: 'u_a', deptIds: ['d1'] },
      { id: 'u_b', deptIds: ['d1'] },
      { id: 'u_c', deptIds: ['d1'] },
      { id: 'u_d', deptIds: ['d1'] },
      { id: 'u_admin', roles: ['approval_admin'] },
      { id: 'u_flow_admin' },
      { id: 'u_fin2', roles: ['finance'] },
      { id: 'u_fin1', roles: ['finance'] },
    ],
  });
});
afterAll(() => stack?.stop());

const result = (instanceId: string) => stack.temporal.workflow.getHandle(instanceId).result();

describe('mode all (会签)', () => {
  it('needs every assignee: the node stays open until the last one approves', async () => {
    const code = await publishOneNode(stack.api, 'all_ok', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'all' });
    const view = await startSettled(stack.api, code);
    expect(pendingAssignees(view)).toEqual(['u_a', 'u_b', 'u_c']);

    const afterA = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(afterA.status).toBe('running');
    expect(nodeTasks(afterA, 'approve')).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'pending'],
      ['u_c', 'pending'],
    ]);
    const afterC = await actOk(stack.api, view.instanceId, 'approve', 'u_c');
    expect(afterC.status).toBe('running');
    expect(afterC.currentNodeIds).toEqual(['approve']);

    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    expect(done.status).toBe('approved');
    expect(nodeTasks(done, 'approve')).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'approved'],
      ['u_c', 'approved'],
    ]);
    expect((await result(view.instanceId)).status).toBe('approved');
  });

  it('one reject rejects the node and the instance, and cancels the other tasks', async () => {
    const code = await publishOneNode(stack.api, 'all_rej', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'all' });
    const view = await startSettled(stack.api, code);
    await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    const rejected = await actOk(stack.api, view.instanceId, 'reject', 'u_b', { comment: '不同意' });
    expect(rejected.status).toBe('rejected');
    expect(rejected.currentNodeIds).toEqual([]);
    expect(nodeTasks(rejected, 'approve')).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'rejected'],
      ['u_c', 'cancelled'],
    ]);
    expect(rejected.tasks.find((t) => t.assigneeId === 'u_c')!.completedAt).toBeDefined();
    const late = await act(stack.api, view.instanceId, 'approve', 'u_c');
    expect(late.status).toBe(409);
  });
});

describe('mode any (或签)', () => {
  it('the first approve completes the node and cancels the other tasks', async () => {
    const code = await publishOneNode(stack.api, 'any_ok', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'any' });
    const view = await startSettled(stack.api, code);
    expect(pendingAssignees(view)).toEqual(['u_a', 'u_b', 'u_c']);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    expect(done.status).toBe('approved');
    expect(nodeTasks(done, 'approve')).toEqual([
      ['u_a', 'cancelled'],
      ['u_b', 'approved'],
      ['u_c', 'cancelled'],
    ]);
  });

  it('a reject leaves the node open while anyone may still approve; an approve after rejects still passes', async () => {
    const code = await publishOneNode(stack.api, 'any_mixed', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'any' });
    const view = await startSettled(stack.api, code);
    expect((await actOk(stack.api, view.instanceId, 'reject', 'u_a')).status).toBe('running');
    const twoRejects = await actOk(stack.api, view.instanceId, 'reject', 'u_c');
    expect(twoRejects.status).toBe('running');
    expect(pendingAssignees(twoRejects)).toEqual(['u_b']);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    expect(done.status).toBe('approved');
  });

  it('is rejected only when every assignee rejected', async () => {
    const code = await publishOneNode(stack.api, 'any_rej', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'any' });
    const view = await startSettled(stack.api, code);
    await actOk(stack.api, view.instanceId, 'reject', 'u_a');
    await actOk(stack.api, view.instanceId, 'reject', 'u_b');
    const done = await actOk(stack.api, view.instanceId, 'reject', 'u_c');
    expect(done.status).toBe('rejected');
    expect(nodeTasks(done, 'approve')).toEqual([
      ['u_a', 'rejected'],
      ['u_b', 'rejected'],
      ['u_c', 'rejected'],
    ]);
  });
});

describe('mode sequential (顺序签)', () => {
  it('one pending task at a time, in list order; the next appears only after the previous approves', async () => {
    // Deliberately not alphabetical: the order is the list's.
    const code = await publishOneNode(stack.api, 'seq_ok', { approvers: { type: 'users', ids: ['u_c', 'u_a', 'u_b'] }, mode: 'sequential' });
    const view = await startSettled(stack.api, code);
    expect(taskRows(view)).toEqual([['approve', 'u_c', 'pending']]);

    // u_a's turn has not come: there is no task of theirs to act on.
    const early = await act(stack.api, view.instanceId, 'approve', 'u_a');
    expect(early.status).toBe(403);
    expect(early.body).toMatchObject({ error: { code: 'NOT_ASSIGNEE' } });
    const unchanged = await expectOk<InstanceView>(stack.api.request('GET', instancePath(view.instanceId)));
    expect(taskRows(unchanged)).toEqual([['approve', 'u_c', 'pending']]);

    const second = await actOk(stack.api, view.instanceId, 'approve', 'u_c');
    expect(second.status).toBe('running');
    expect(taskRows(second)).toEqual([
      ['approve', 'u_c', 'approved'],
      ['approve', 'u_a', 'pending'],
    ]);
    const third = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(third.status).toBe('running');
    expect(taskRows(third)).toEqual([
      ['approve', 'u_c', 'approved'],
      ['approve', 'u_a', 'approved'],
      ['approve', 'u_b', 'pending'],
    ]);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    expect(done.status).toBe('approved');
    expect(done.tasks.map((t) => t.status)).toEqual(['approved', 'approved', 'approved']);
  });

  it('a reject rejects the node; later approvers never get a task', async () => {
    const code = await publishOneNode(stack.api, 'seq_rej', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'sequential' });
    const view = await startSettled(stack.api, code);
    await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    const rejected = await actOk(stack.api, view.instanceId, 'reject', 'u_b');
    expect(rejected.status).toBe('rejected');
    expect(taskRows(rejected)).toEqual([
      ['approve', 'u_a', 'approved'],
      ['approve', 'u_b', 'rejected'],
    ]);
  });
});

describe('mode vote (票签)', () => {
  const four = ['u_a', 'u_b', 'u_c', 'u_d'];

  it('passCount: approved as soon as enough approve; the remaining tasks are cancelled', async () => {
    const code = await publishOneNode(stack.api, 'vote_cnt_ok', { approvers: { type: 'users', ids: four }, mode: 'vote', passCount: 2 });
    const view = await startSettled(stack.api, code);
    const one = await actOk(stack.api, view.instanceId, 'approve', 'u_d');
    expect(one.status).toBe('running');
    const two = await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    expect(two.status).toBe('approved');
    expect(nodeTasks(two, 'approve')).toEqual([
      ['u_a', 'cancelled'],
      ['u_b', 'approved'],
      ['u_c', 'cancelled'],
      ['u_d', 'approved'],
    ]);
  });

  it('passCount: rejected as soon as the count can no longer be reached, not when everyone voted', async () => {
    const code = await publishOneNode(stack.api, 'vote_cnt_rej', { approvers: { type: 'users', ids: four }, mode: 'vote', passCount: 3 });
    const view = await startSettled(stack.api, code);
    // One reject: 3 of the remaining 3 could still pass.
    const one = await actOk(stack.api, view.instanceId, 'reject', 'u_a');
    expect(one.status).toBe('running');
    expect(pendingAssignees(one)).toEqual(['u_b', 'u_c', 'u_d']);
    // A second reject: at most 2 approvals remain possible, fewer than 3.
    const two = await actOk(stack.api, view.instanceId, 'reject', 'u_c');
    expect(two.status).toBe('rejected');
    expect(nodeTasks(two, 'approve')).toEqual([
      ['u_a', 'rejected'],
      ['u_b', 'cancelled'],
      ['u_c', 'rejected'],
      ['u_d', 'cancelled'],
    ]);
  });

  it('passRatio: the share of assignees that must approve (0.5 of 4 = 2), rejects counted against it', async () => {
    const code = await publishOneNode(stack.api, 'vote_ratio_ok', { approvers: { type: 'users', ids: four }, mode: 'vote', passRatio: 0.5 });
    const view = await startSettled(stack.api, code);
    expect((await actOk(stack.api, view.instanceId, 'reject', 'u_a')).status).toBe('running');
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_b')).status).toBe('running');
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_c');
    expect(done.status).toBe('approved');
    expect(nodeTasks(done, 'approve')).toEqual([
      ['u_a', 'rejected'],
      ['u_b', 'approved'],
      ['u_c', 'approved'],
      ['u_d', 'cancelled'],
    ]);
  });

  it('passRatio: rejected early once the ratio is out of reach (0.75 of 4 needs 3; two rejects end it)', async () => {
    const code = await publishOneNode(stack.api, 'vote_ratio_rej', { approvers: { type: 'users', ids: four }, mode: 'vote', passRatio: 0.75 });
    const view = await startSettled(stack.api, code);
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_a')).status).toBe('running');
    expect((await actOk(stack.api, view.instanceId, 'reject', 'u_b')).status).toBe('running');
    const done = await actOk(stack.api, view.instanceId, 'reject', 'u_c');
    expect(done.status).toBe('rejected');
    expect(nodeTasks(done, 'approve')).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'rejected'],
      ['u_c', 'rejected'],
      ['u_d', 'cancelled'],
    ]);
  });
});

describe('onEmpty (no approver resolved)', () => {
  const nobody = { type: 'users' as const, ids: ['u_ghost'] };

  it('auto_approve: the node passes with no task and the instance moves on to the next node', async () => {
    const code = uid('empty_auto');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('empty', { approvers: nobody, mode: 'any', onEmpty: 'auto_approve' }),
        approval('next', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    expect(view.status).toBe('running');
    expect(view.currentNodeIds).toEqual(['next']);
    expect(taskRows(view)).toEqual([['next', 'u_a', 'pending']]);
    expect(view.automaticOutcomes).toEqual([{ nodeId: 'empty', outcome: 'approved', reason: 'no_approver' }]);
    const events = await timeline(stack.api, view.instanceId);
    expect(events.find((e) => e.type === 'no_approver')).toMatchObject({ nodeId: 'empty', data: { policy: 'auto_approve' } });
  });

  it('reject (and the default, with no onEmpty): the instance is rejected and the next node never runs', async () => {
    for (const onEmpty of ['reject', undefined] as const) {
      const code = uid('empty_rej');
      await publishFlow(
        stack.api,
        chainFlow(code, [
          approval('empty', { approvers: nobody, mode: 'any', ...(onEmpty ? { onEmpty } : {}) }),
          approval('next', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        ]),
      );
      const view = await startSettled(stack.api, code);
      expect(view.status).toBe('rejected');
      expect(view.tasks).toEqual([]);
      expect(view.automaticOutcomes).toEqual([{ nodeId: 'empty', outcome: 'rejected', reason: 'no_approver' }]);
    }
  });

  it("to_admin: the task goes to the definition's admins", async () => {
    const code = await publishOneNode(stack.api, 'empty_admins', { approvers: nobody, mode: 'any', onEmpty: 'to_admin' }, { admins: ['u_flow_admin'] });
    const view = await startSettled(stack.api, code);
    expect(view.status).toBe('running');
    expect(taskRows(view)).toEqual([['approve', 'u_flow_admin', 'pending']]);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_flow_admin');
    expect(done.status).toBe('approved');
  });

  it('to_admin: without admins (or with none active) the approval_admin role holders get it', async () => {
    for (const admins of [undefined, ['u_ghost_admin']]) {
      const code = await publishOneNode(stack.api, 'empty_role', { approvers: nobody, mode: 'any', onEmpty: 'to_admin' }, admins ? { admins } : {});
      const view = await startSettled(stack.api, code);
      expect(taskRows(view)).toEqual([['approve', 'u_admin', 'pending']]);
      const done = await actOk(stack.api, view.instanceId, 'reject', 'u_admin');
      expect(done.status).toBe('rejected');
    }
  });
});

describe('dedupe', () => {
  it('an assignee who approved an earlier node is auto_approved (reason dedupe) on a later one, and it is logged', async () => {
    const code = uid('dedupe_on');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a', 'u_b'] }, mode: 'all' }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    const after = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(after.status).toBe('running');
    expect(after.currentNodeIds).toEqual(['second']);
    const deduped = after.tasks.find((t) => t.nodeId === 'second' && t.assigneeId === 'u_a')!;
    expect(deduped).toMatchObject({ status: 'auto_approved', reason: 'dedupe' });
    expect(nodeTasks(after, 'second')).toEqual([
      ['u_a', 'auto_approved'],
      ['u_b', 'pending'],
    ]);
    // u_a has nothing left to act on.
    expect((await act(stack.api, view.instanceId, 'approve', 'u_a')).status).toBe(409);
    const events = await timeline(stack.api, view.instanceId);
    expect(events.find((e) => e.type === 'task_completed' && e.taskId === deduped.taskId)).toMatchObject({
      data: { status: 'auto_approved', reason: 'dedupe' },
    });

    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_b')).status).toBe('approved');
  });

  it('a dedupe-approved node passes by itself when it was the only assignee', async () => {
    const code = uid('dedupe_pass');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'all' }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(done.status).toBe('approved');
    expect(taskRows(done)).toEqual([
      ['first', 'u_a', 'approved'],
      ['second', 'u_a', 'auto_approved'],
    ]);
  });

  it('only counts people who approved: an assignee whose task was cancelled must act', async () => {
    const code = uid('dedupe_cancel');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a', 'u_b'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_b'] }, mode: 'all' }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    const after = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(nodeTasks(after, 'first')).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'cancelled'],
    ]);
    expect(nodeTasks(after, 'second')).toEqual([['u_b', 'pending']]);
  });

  it('in a sequential node the deduped turn passes and the next one in line gets the task', async () => {
    const code = uid('dedupe_seq');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'sequential' }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    const after = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(nodeTasks(after, 'second')).toEqual([
      ['u_a', 'auto_approved'],
      ['u_b', 'pending'],
    ]);
    const last = await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    expect(nodeTasks(last, 'second').at(-1)).toEqual(['u_c', 'pending']);
  });

  it('a dedupe approval counts as a vote', async () => {
    const code = uid('dedupe_vote');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a', 'u_b', 'u_c'] }, mode: 'vote', passCount: 2 }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_c');
    expect(done.status).toBe('approved');
    expect(nodeTasks(done, 'second')).toEqual([
      ['u_a', 'auto_approved'],
      ['u_b', 'cancelled'],
      ['u_c', 'approved'],
    ]);
  });

  it('with dedupe:false the assignee must act again', async () => {
    const code = uid('dedupe_off');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a', 'u_b'] }, mode: 'all', dedupe: false }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    const after = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(nodeTasks(after, 'second')).toEqual([
      ['u_a', 'pending'],
      ['u_b', 'pending'],
    ]);
    await actOk(stack.api, view.instanceId, 'approve', 'u_b');
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(done.status).toBe('approved');
    expect(nodeTasks(done, 'second')).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'approved'],
    ]);
  });
});

describe('whenApproverIsInitiator', () => {
  it('auto_approve: the initiator’s seat is auto_approved (reason initiator); the others still act', async () => {
    const code = await publishOneNode(stack.api, 'self_auto', {
      approvers: { type: 'users', ids: ['u_initiator', 'u_a'] },
      mode: 'all',
      whenApproverIsInitiator: 'auto_approve',
    });
    const view = await startSettled(stack.api, code);
    expect(view.tasks.map((t) => [t.assigneeId, t.status, t.reason])).toEqual([
      ['u_initiator', 'auto_approved', 'initiator'],
      ['u_a', 'pending', undefined],
    ]);
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_a')).status).toBe('approved');
  });

  it('auto_approve: a node whose only approver is the initiator passes by itself', async () => {
    const code = await publishOneNode(stack.api, 'self_only', {
      approvers: { type: 'users', ids: ['u_initiator'] },
      mode: 'any',
      whenApproverIsInitiator: 'auto_approve',
    });
    const started = await start(stack.api, code);
    const view = await waitForView(stack.api, started.instanceId, (v) => v.status !== 'running');
    expect(view.status).toBe('approved');
    expect(view.tasks.map((t) => [t.assigneeId, t.status, t.reason])).toEqual([['u_initiator', 'auto_approved', 'initiator']]);
  });

  it("to_manager: the initiator's task goes to their manager, marked substitutedFor", async () => {
    const code = await publishOneNode(stack.api, 'self_mgr', {
      approvers: { type: 'users', ids: ['u_initiator', 'u_a'] },
      mode: 'all',
      whenApproverIsInitiator: 'to_manager',
    });
    const view = await startSettled(stack.api, code);
    expect(view.tasks.map((t) => [t.assigneeId, t.status, t.substitutedFor])).toEqual([
      ['u_boss', 'pending', 'u_initiator'],
      ['u_a', 'pending', undefined],
    ]);
    expect((await act(stack.api, view.instanceId, 'approve', 'u_initiator')).status).toBe(403);
    await actOk(stack.api, view.instanceId, 'approve', 'u_boss');
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_a')).status).toBe('approved');
  });

  it('by default (approve_self) the initiator acts on their own task', async () => {
    const code = await publishOneNode(stack.api, 'self_default', { approvers: { type: 'users', ids: ['u_initiator'] }, mode: 'any' });
    const view = await startSettled(stack.api, code);
    expect(taskRows(view)).toEqual([['approve', 'u_initiator', 'pending']]);
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_initiator')).status).toBe('approved');
  });
});

describe('conditions', () => {
  let code: string;
  beforeAll(async () => {
    code = uid('cond');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        { id: 'by_amount', type: 'condition', branches: [{ when: { all: [{ field: 'amount', op: '>', value: 10000 }] }, next: 'big' }], default: 'small' },
        approval('big', { approvers: { type: 'users', ids: ['u_b'] }, mode: 'any', next: 'end' }),
        approval('small', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' }),
      ]),
    );
  });

  it.each([
    [20000, 'big', 'u_b'],
    [10000.01, 'big', 'u_b'],
    [10000, 'small', 'u_a'],
    [50, 'small', 'u_a'],
  ])('amount %p goes to %s', async (amount, nodeId, assignee) => {
    const view = await startSettled(stack.api, code, { form: { amount } });
    expect(view.currentNodeIds).toEqual([nodeId]);
    expect(taskRows(view)).toEqual([[nodeId, assignee, 'pending']]);
    const events = await timeline(stack.api, view.instanceId);
    expect(events.find((e) => e.type === 'branch_taken')).toMatchObject({ nodeId: 'by_amount', data: { next: nodeId } });
    expect((await actOk(stack.api, view.instanceId, 'approve', assignee)).status).toBe('approved');
  });
});

describe('conditions: first matching branch wins', () => {
  it('checks branches in order and takes the first that matches, even when a later one matches too', async () => {
    const code = uid('cond_order');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        {
          id: 'route',
          type: 'condition',
          branches: [
            { when: { field: 'amount', op: '>', value: 50000 }, next: 'huge' },
            {
              when: {
                any: [
                  { field: 'amount', op: '>', value: 10000 },
                  { field: 'title', op: 'contains', value: '紧急' },
                ],
              },
              next: 'big',
            },
          ],
          default: 'small',
        },
        approval('huge', { approvers: { type: 'users', ids: ['u_c'] }, mode: 'any', next: 'end' }),
        approval('big', { approvers: { type: 'users', ids: ['u_b'] }, mode: 'any', next: 'end' }),
        approval('small', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' }),
      ]),
    );
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: 60000 }, 'huge'],
      [{ amount: 20000 }, 'big'],
      [{ amount: 5, title: '紧急采购' }, 'big'],
      [{ amount: 5, title: '常规' }, 'small'],
    ];
    for (const [form, nodeId] of cases) {
      const view = await startSettled(stack.api, code, { form });
      expect([form, view.currentNodeIds]).toEqual([form, [nodeId]]);
    }
  });
});

describe('cc node (抄送)', () => {
  it('passes straight on to the next node and writes a cc notification per recipient', async () => {
    const code = uid('cc_mid');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        { id: 'notify', type: 'cc', name: '抄送财务', recipients: { type: 'role', role: 'finance' } },
        approval('approve', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
      ]),
    );
    const view = await startSettled(stack.api, code);
    expect(view.status).toBe('running');
    expect(view.currentNodeIds).toEqual(['approve']);
    expect(view.tasks.filter((t) => t.nodeId === 'notify')).toEqual([]);
    const rows = await waitForNotifications(stack.database.db, view.instanceId, 2);
    expect(rows.map((r) => [r.kind, r.recipientId, r.nodeId])).toEqual([
      ['cc', 'u_fin1', 'notify'],
      ['cc', 'u_fin2', 'notify'],
    ]);
    const events = await timeline(stack.api, view.instanceId);
    expect(events.find((e) => e.type === 'cc_sent')).toMatchObject({ nodeId: 'notify', data: { recipients: ['u_fin1', 'u_fin2'] } });
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_a')).status).toBe('approved');
  });

  it('a cc as the last node before end (as in the SPEC §4 example) still notifies its recipients', async () => {
    const code = uid('cc_last');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('approve', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
        { id: 'notify', type: 'cc', name: '抄送财务', recipients: { type: 'role', role: 'finance' } },
      ]),
    );
    const view = await startSettled(stack.api, code);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    expect(done.status).toBe('approved');
    await result(view.instanceId);
    const rows = await listNotifications(stack.database.db, { instanceId: view.instanceId });
    expect(rows.map((r) => [r.kind, r.recipientId, r.nodeId])).toEqual([
      ['cc', 'u_fin1', 'notify'],
      ['cc', 'u_fin2', 'notify'],
    ]);
  });
});

describe('versioning', () => {
  it('a running instance keeps its version (approver, graph, flowVersion); a new instance runs the newest', async () => {
    const code = uid('ver');
    expect(await publishFlow(stack.api, chainFlow(code, [approval('approve', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' })]))).toBe(1);
    const v1 = await start(stack.api, code);
    expect(v1.flowVersion).toBe(1);
    await waitForView(stack.api, v1.instanceId, (v) => v.tasks.length > 0);

    // v2: another approver, and a second node.
    expect(
      await publishFlow(
        stack.api,
        chainFlow(code, [
          approval('approve', { approvers: { type: 'users', ids: ['u_b'] }, mode: 'any' }),
          approval('extra', { approvers: { type: 'users', ids: ['u_c'] }, mode: 'any' }),
        ]),
      ),
    ).toBe(2);
    const v2 = await start(stack.api, code);
    expect(v2.flowVersion).toBe(2);
    const v2View = await waitForView(stack.api, v2.instanceId, (v) => v.tasks.length > 0);
    expect(v2View.flowVersion).toBe(2);
    expect(taskRows(v2View)).toEqual([['approve', 'u_b', 'pending']]);

    const v1View = await expectOk<InstanceView>(stack.api.request('GET', instancePath(v1.instanceId)));
    expect(v1View.flowVersion).toBe(1);
    expect(taskRows(v1View)).toEqual([['approve', 'u_a', 'pending']]);
    expect((await act(stack.api, v1.instanceId, 'approve', 'u_b')).status).toBe(403);
    // v1 has no "extra" node: one approval ends it.
    const v1Done = await actOk(stack.api, v1.instanceId, 'approve', 'u_a');
    expect(v1Done.status).toBe('approved');
    expect(taskRows(v1Done)).toEqual([['approve', 'u_a', 'approved']]);

    const v2Next = await actOk(stack.api, v2.instanceId, 'approve', 'u_b');
    expect(v2Next.status).toBe('running');
    expect(v2Next.currentNodeIds).toEqual(['extra']);
  });
});
