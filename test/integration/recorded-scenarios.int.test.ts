import type { FlowDefinition, FlowNode } from '../../engine/dsl';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { listNotifications } from '../../db/notifications';
import { searchAttributes } from '../../temporal-config';
import { delegate, expectOk, historyEventTypes, instancePath, publishFlow, startBody, testUsers, uid, waitForView } from '../support/fixtures';
import { actAs, flowOf, service, setUpErpWorld, startErpInstance, waitForStatus, type ErpWorld } from '../support/erp-fixtures';
import { recordedApproval, recordedFlow, recordHistory, recordingOrg } from '../support/recorded-histories';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Real runs covering every node type and every action; each is checked here, and recorded when
 * RECORD_HISTORIES=1 (see test/support/recorded-histories.ts). The timer scenarios run on the
 * time-skipping server (timers.int.test.ts) and are recorded there.
 */
const HISTORY_LIMIT = 150;

let stack: TestStack;
let world: ErpWorld;

beforeAll(async () => {
  stack = await startTestStack({ historyLimit: HISTORY_LIMIT });
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: recordingOrg }));
  world = await setUpErpWorld(stack);
});
afterAll(async () => {
  await world?.close();
  await stack?.stop();
});

const record = (name: string, instanceId: string, runId?: string) => recordHistory(stack.temporal, name, instanceId, runId);
const flow = recordedFlow;
const approval = recordedApproval;

async function startFlow(definition: FlowDefinition, form: Record<string, unknown> = { amount: 100 }, initiatorId = 'r_initiator'): Promise<string> {
  await publishFlow(stack.api, definition);
  const body = { ...startBody(definition.code, uid('BK'), form), initiatorId };
  return (await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', body), 201)).instanceId;
}

function act(instanceId: string, body: Record<string, unknown>, status = 200) {
  return expectOk<InstanceView>(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { actionId: uid('act'), ...body }), status);
}

const pendingOf = (view: InstanceView) =>
  view.tasks
    .filter((t) => t.status === 'pending')
    .map((t) => t.assigneeId)
    .sort();
const waitPending = (id: string, assignees: string[], timeoutMs?: number) =>
  waitForView(stack.api, id, (v) => JSON.stringify(pendingOf(v)) === JSON.stringify([...assignees].sort()), timeoutMs);
const finished = (id: string, timeoutMs?: number) => waitForView(stack.api, id, (v) => v.status !== 'running', timeoutMs);
const timeline = async (id: string) => (await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(id)}/timeline`))).events;

describe('recorded scenarios', () => {
  it('sequential-three: one turn at a time, and the history stays short', async () => {
    const id = await startFlow(flow('rec_seq', [approval('seq', ['r_a', 'r_b', 'r_c'], 'sequential', 'end')]));
    for (const approver of ['r_a', 'r_b', 'r_c']) {
      await waitPending(id, [approver]);
      await act(id, { type: 'approve', actorId: approver });
    }
    expect((await finished(id)).status).toBe('approved');
    await record('sequential-three', id);
    const events = await historyEventTypes(stack.temporal, id);
    console.log(`history of a 3-sequential-approver instance: ${events.length} events`);
    expect(events.length).toBeLessThanOrEqual(60);
  });

  it('condition-all-cc: the amount picks the branch, all must approve, the cc is notified', async () => {
    const definition = flow('rec_cond', [
      { id: 'route', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 10000 }, next: 'board' }], default: 'mgr' },
      approval('board', ['r_a', 'r_b'], 'all', 'cc'),
      approval('mgr', ['r_c'], 'any', 'cc'),
      { id: 'cc', type: 'cc', recipients: { type: 'role', role: 'finance' }, next: 'end' },
    ]);
    const id = await startFlow(definition, { amount: 50_000 });
    await waitPending(id, ['r_a', 'r_b']);
    await act(id, { type: 'approve', actorId: 'r_a' });
    await act(id, { type: 'approve', actorId: 'r_b' });
    expect((await finished(id)).status).toBe('approved');
    await record('condition-all-cc', id);
    const sent = await listNotifications(stack.database.db, { instanceId: id });
    expect(sent.map((n) => [n.kind, n.recipientId])).toEqual([['cc', 'r_fin']]);
  });

  it('vote-early-reject: a 2-of-3 vote ends as soon as two reject', async () => {
    const id = await startFlow(flow('rec_vote', [approval('vote', ['r_a', 'r_b', 'r_c'], 'vote', 'end', { passCount: 2 })]));
    await waitPending(id, ['r_a', 'r_b', 'r_c']);
    await act(id, { type: 'reject', actorId: 'r_a' });
    const view = await act(id, { type: 'reject', actorId: 'r_b' });
    expect(view.status).toBe('rejected');
    expect(view.tasks.find((t) => t.assigneeId === 'r_c')?.status).toBe('cancelled');
    await record('vote-early-reject', id);
  });

  it('parallel-join: both branches must finish before the join moves on', async () => {
    const definition = flow('rec_par', [
      { id: 'fork', type: 'parallel', branches: ['legal', 'finance'] },
      approval('legal', ['r_a'], 'any', 'join'),
      approval('finance', ['r_b'], 'any', 'join'),
      { id: 'join', type: 'join', next: 'final' },
      approval('final', ['r_c'], 'any', 'end'),
    ]);
    const id = await startFlow(definition);
    await waitPending(id, ['r_a', 'r_b']);
    const afterOne = await act(id, { type: 'approve', actorId: 'r_a' });
    expect(afterOne.currentNodeIds).toEqual(['finance']);
    await act(id, { type: 'approve', actorId: 'r_b' });
    await waitPending(id, ['r_c']);
    await act(id, { type: 'approve', actorId: 'r_c' });
    expect((await finished(id)).status).toBe('approved');
    await record('parallel-join', id);
  });

  it('transfer-and-signers: transfer, add signers before / after / parallel, remove one', async () => {
    const id = await startFlow(flow('rec_sign', [approval('review', ['r_a'], 'all', 'end')]));
    await waitPending(id, ['r_a']);
    await act(id, { type: 'transfer', actorId: 'r_a', toUserId: 'r_b', comment: '请乙处理' });
    let view = await act(id, { type: 'add_signer', actorId: 'r_b', signers: ['r_c'], position: 'before' });
    expect(view.tasks.find((t) => t.assigneeId === 'r_b' && t.status !== 'transferred')?.status).toBe('waiting');
    await act(id, { type: 'approve', actorId: 'r_c' });
    await act(id, { type: 'add_signer', actorId: 'r_b', signers: ['r_d'], position: 'after' });
    await act(id, { type: 'add_signer', actorId: 'r_b', signers: ['r_mgr'], position: 'parallel' });
    view = await act(id, { type: 'remove_signer', actorId: 'r_b', signers: ['r_mgr'] });
    expect(view.tasks.find((t) => t.assigneeId === 'r_mgr')).toMatchObject({ status: 'cancelled', reason: 'removed' });
    view = await act(id, { type: 'approve', actorId: 'r_b' });
    expect(view.status).toBe('running');
    expect(pendingOf(view)).toEqual(['r_d']);
    view = await act(id, { type: 'approve', actorId: 'r_d' });
    expect(view.status).toBe('approved');
    await record('transfer-and-signers', id);
  });

  it('return-and-resubmit: back one node, back to the initiator, resubmitted with a new form', async () => {
    const definition = flow('rec_return', [
      approval('first', ['r_a'], 'any', 'second'),
      { id: 'route', type: 'condition', branches: [{ when: { field: 'amount', op: '>=', value: 1000 }, next: 'big' }], default: 'end' },
      approval('second', ['r_b'], 'any', 'route'),
      approval('big', ['r_c'], 'any', 'end'),
    ]);
    const id = await startFlow(definition, { amount: 10 });
    await waitPending(id, ['r_a']);
    await act(id, { type: 'approve', actorId: 'r_a' });
    await waitPending(id, ['r_b']);
    await act(id, { type: 'return', actorId: 'r_b', targetNodeId: 'first', comment: '材料不全' });
    await waitPending(id, ['r_a']);
    await act(id, { type: 'approve', actorId: 'r_a' });
    await waitPending(id, ['r_b']);
    const returned = await act(id, { type: 'return', actorId: 'r_b', targetNodeId: 'start' });
    expect(returned).toMatchObject({ returnedToInitiator: true, currentNodeIds: ['start'] });
    await act(id, { type: 'resubmit', actorId: 'r_initiator', form: { amount: 5000 } });
    for (const approver of ['r_a', 'r_b', 'r_c']) {
      await waitPending(id, [approver]);
      await act(id, { type: 'approve', actorId: approver });
    }
    const view = await finished(id);
    expect(view).toMatchObject({ status: 'approved', form: { amount: 5000 } });
    await record('return-and-resubmit', id);
  });

  it('revoke-then-withdraw: an approval taken back while the next node is untouched, then the initiator withdraws', async () => {
    const id = await startFlow(flow('rec_revoke', [approval('first', ['r_a'], 'any', 'second'), approval('second', ['r_b'], 'any', 'end')]));
    await waitPending(id, ['r_a']);
    await act(id, { type: 'approve', actorId: 'r_a' });
    await waitPending(id, ['r_b']);
    const revoked = await act(id, { type: 'revoke', actorId: 'r_a' });
    expect(pendingOf(revoked)).toEqual(['r_a']);
    expect(revoked.currentNodeIds).toEqual(['first']);
    const withdrawn = await act(id, { type: 'withdraw', actorId: 'r_initiator' });
    expect(withdrawn.status).toBe('withdrawn');
    await record('revoke-then-withdraw', id);
  });

  it('comment-urge-delegation: a delegated task, a comment, an urge, then approval', async () => {
    await delegate(stack.api, { delegatorId: 'r_d', delegateId: 'r_c', hoursAhead: 1 });
    const id = await startFlow(flow('rec_deleg', [approval('review', ['r_d'], 'any', 'end')]));
    const view = await waitPending(id, ['r_c']);
    expect(view.tasks[0]).toMatchObject({ assigneeId: 'r_c', delegatedFrom: 'r_d' });
    await act(id, { type: 'comment', actorId: 'r_initiator', comment: '请尽快' });
    await act(id, { type: 'urge', actorId: 'r_initiator' });
    await act(id, { type: 'approve', actorId: 'r_c' });
    expect((await finished(id)).status).toBe('approved');
    const types = (await timeline(id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['comment', 'urged', 'approved']));
    await record('comment-urge-delegation', id);
  });

  it('empty-to-admin and initiator rules: nobody resolves, the flow admin gets the task', async () => {
    const definition = flow('rec_admin', [
      approval('self', ['r_initiator', 'r_a'], 'all', 'nobody', { whenApproverIsInitiator: 'auto_approve' }),
      { ...approval('nobody', ['u_ghost'], 'any', 'end'), onEmpty: 'to_admin' } as FlowNode,
    ]);
    const id = await startFlow(definition);
    const first = await waitPending(id, ['r_a']);
    expect(first.tasks.find((t) => t.assigneeId === 'r_initiator')).toMatchObject({ status: 'auto_approved', reason: 'initiator' });
    await act(id, { type: 'approve', actorId: 'r_a' });
    await waitPending(id, ['r_admin']);
    await act(id, { type: 'approve', actorId: 'r_admin' });
    expect((await finished(id)).status).toBe('approved');
    await record('empty-to-admin', id);
  });

  it('departed-to-admin: a full org push leaves an approver out; their task goes to the admin', async () => {
    const id = await startFlow(flow('rec_departed', [{ ...approval('review', ['r_b', 'r_c'], 'all', 'end'), onEmpty: 'to_admin' } as FlowNode]));
    await waitPending(id, ['r_b', 'r_c']);
    const everyone = [...recordingOrg, ...testUsers];
    const pushed = await expectOk<{ handedOver: { instances: number } }>(
      stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: everyone.filter((u) => u.id !== 'r_b') }),
    );
    expect(pushed.handedOver.instances).toBe(1);
    await waitPending(id, ['r_admin', 'r_c']);
    await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: everyone }));
    await act(id, { type: 'approve', actorId: 'r_c' });
    await act(id, { type: 'approve', actorId: 'r_admin' });
    const done = await finished(id);
    expect(done.status).toBe('approved');
    expect(done.tasks.find((t) => t.assigneeId === 'r_b')).toMatchObject({ status: 'transferred', reason: 'departed' });
    await record('departed-to-admin', id);
  });

  it('continue-as-new: a long-lived instance carries its state into a new run', async () => {
    const id = await startFlow(flow('rec_can', [approval('review', ['r_a', 'r_b'], 'all', 'end')]));
    await waitPending(id, ['r_a', 'r_b']);
    await act(id, { type: 'approve', actorId: 'r_a' });
    const firstRunId = (await stack.temporal.workflow.getHandle(id).describe()).runId;
    const actionIds: string[] = [];
    for (let i = 0; i < 35; i++) {
      const actionId = uid('cmt');
      actionIds.push(actionId);
      await act(id, { type: 'comment', actorId: 'r_b', comment: `第 ${i + 1} 条意见`, actionId });
    }
    const description = await stack.temporal.workflow.getHandle(id).describe();
    expect(description.runId).not.toBe(firstRunId);
    // The new run kept the tasks, the search attributes, and the memory of applied actions.
    const repeat = await act(id, { type: 'comment', actorId: 'r_b', comment: 'again', actionId: actionIds[0] });
    expect(repeat.tasks.find((t) => t.assigneeId === 'r_a')?.status).toBe('approved');
    expect(description.typedSearchAttributes.get(searchAttributes.assignees)).toEqual(['r_b']);
    await act(id, { type: 'approve', actorId: 'r_b' });
    expect((await finished(id)).status).toBe('approved');
    await record('continue-as-new-first-run', id, firstRunId);
    await record('continue-as-new-last-run', id);
  });

  describe('ERP integration (service nodes, saga, webhooks, write-back)', () => {
    const erpFlow = async (prefix: string, nodes: FlowNode[]) => {
      const definition = flowOf(uid(prefix), nodes);
      await publishFlow(stack.api, definition);
      return definition.code;
    };
    beforeEach(() => world.sandbox.state.reset());

    it('saga-reject: two reservations, then a rejection releases them newest first; webhooks and write-back', async () => {
      const code = await erpFlow('rec_saga', [
        { id: 'start', type: 'start', next: 'reserve1' },
        service('reserve1', world.system, 'reserve2'),
        service('reserve2', world.system, 'review', '_2'),
        { id: 'review', type: 'approval', name: 'review', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' },
      ]);
      // The first webhook fails once: it is retried in place, and the rest follow in order.
      world.sandbox.state.setFailure({ target: 'webhooks', mode: '5xx', times: 1 });
      const { instanceId } = await startErpInstance(world, code);
      await waitPending(instanceId, ['u_a']);
      await actAs(world, instanceId, { type: 'reject', actorId: 'u_a', comment: '预算不足' });
      expect((await waitForStatus(stack.api, instanceId, 'rejected')).compensations?.map((c) => [c.nodeId, c.status])).toEqual([
        ['reserve1', 'compensated'],
        ['reserve2', 'compensated'],
      ]);
      await record('saga-reject', instanceId);
      expect(world.sandbox.state.operations().map((o) => o.idempotencyKey.slice(instanceId.length + 1))).toEqual([
        'reserve1:call',
        'reserve2:call',
        'reserve2:compensate',
        'reserve1:compensate',
        'write_back',
      ]);
      expect(world.sandbox.state.events().map((e) => e.body.type)).toEqual(['approval.task.created', 'approval.task.completed', 'approval.completed']);
    });

    it('saga-withdraw: the initiator withdraws after a reservation, which is released', async () => {
      const code = await erpFlow('rec_wd', [
        { id: 'start', type: 'start', next: 'reserve' },
        service('reserve', world.system, 'review'),
        { id: 'review', type: 'approval', name: 'review', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' },
      ]);
      const { instanceId } = await startErpInstance(world, code, { callback: false });
      await waitPending(instanceId, ['u_a']);
      await actAs(world, instanceId, { type: 'withdraw', actorId: 'u_initiator' });
      await waitForStatus(stack.api, instanceId, 'withdrawn');
      await record('saga-withdraw', instanceId);
    });

    it('service-failed: a final 4xx fails the instance after releasing what came before', async () => {
      const code = await erpFlow('rec_fail', [
        { id: 'start', type: 'start', next: 'reserve' },
        service('reserve', world.system, 'settle'),
        { id: 'settle', type: 'service', name: 'settle', call: { system: world.system, operation: 'release_budget_2' }, next: 'end' },
      ]);
      // `settle` is refused for good (once); the compensation of `reserve` then goes through.
      world.sandbox.state.setFailure({ target: 'release_budget', mode: '4xx', times: 1 });
      const { instanceId } = await startErpInstance(world, code, { callback: false });
      expect((await waitForStatus(stack.api, instanceId, 'failed')).compensations?.map((c) => [c.nodeId, c.status])).toEqual([['reserve', 'compensated']]);
      await record('service-failed', instanceId);
    });

    it('compensation-failed-then-retried: a release that keeps failing waits for ops, who retry it', async () => {
      const code = await erpFlow('rec_cf', [
        { id: 'start', type: 'start', next: 'reserve' },
        service('reserve', world.system, 'review'),
        { id: 'review', type: 'approval', name: 'review', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' },
      ]);
      const { instanceId } = await startErpInstance(world, code, { callback: false });
      await waitPending(instanceId, ['u_a']);
      world.sandbox.state.setFailure({ target: 'release_budget', mode: '5xx' });
      await actAs(world, instanceId, { type: 'reject', actorId: 'u_a' });
      await waitForStatus(stack.api, instanceId, 'compensation_failed');
      world.sandbox.state.setFailure({ target: 'release_budget', mode: 'ok' });
      const retried = await expectOk<InstanceView>(stack.api.request('POST', `${instancePath(instanceId)}/compensations/retry`, { requestId: uid('retry') }));
      expect(retried.status).toBe('rejected');
      await record('compensation-failed-then-retried', instanceId);
    });
  });
});
