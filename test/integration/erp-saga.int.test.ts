import type { InstanceView } from '../../engine/instance-view';
import {
  actAs,
  approval,
  flowOf,
  operationRows,
  operationsOf,
  service,
  setUpErpWorld,
  startErpInstance,
  statusAttribute,
  timelineOf,
  timelineTypes,
  waitForStatus,
  type ErpWorld,
} from '../support/erp-fixtures';
import { expectOk, hasPendingTasks, instancePath, pollUntil, publishFlow, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/** SPEC §5 service nodes and the saga, §8 ERP systems: on real Temporal against the ERP sandbox over HTTP. */

let stack: TestStack;
let world: ErpWorld;

beforeAll(async () => {
  stack = await startTestStack();
  world = await setUpErpWorld(stack);
});
afterAll(async () => {
  await world?.close();
  await stack?.stop();
});
beforeEach(() => world.sandbox.state.reset());

async function publish(nodes: Parameters<typeof flowOf>[1]): Promise<string> {
  const code = uid('saga');
  await publishFlow(stack.api, flowOf(code, nodes));
  return code;
}

const viewOf = (instanceId: string) => expectOk<InstanceView>(stack.api.request('GET', instancePath(instanceId)));
const retryPath = (instanceId: string) => `${instancePath(instanceId)}/compensations/retry`;
const SAGA_EVENTS = new Set([
  'service_called',
  'service_completed',
  'service_failed',
  'compensation_started',
  'compensated',
  'compensation_failed',
  'compensation_retried',
  'instance_completed',
  'written_back',
  'write_back_failed',
]);
const sagaTimeline = async (instanceId: string) =>
  (await timelineOf(stack.api, instanceId)).filter((e) => SAGA_EVENTS.has(e.type)).map((e) => [e.type, e.nodeId ?? null]);
const reservationsOf = (businessKey: string) =>
  world.sandbox.state
    .budget()
    .reservations.filter((r) => r.businessKey === businessKey || r.businessKey === `${businessKey}/2`)
    .map((r) => [r.businessKey, r.amount, r.status]);

/** start → reserve → mgr (u_a) → end */
const reserveThenManager = () =>
  publish([{ id: 'start', type: 'start', next: 'reserve' }, service('reserve', world.system, 'mgr'), approval('mgr', ['u_a'], 'end')]);

describe('service nodes on the approve path', () => {
  it('calls reserve_budget once with {instanceId}:reserve:call, goes on, approves, writes back once and releases nothing', async () => {
    const flowCode = await publish([
      { id: 'start', type: 'start', next: 'mgr' },
      approval('mgr', ['u_a'], 'reserve'),
      service('reserve', world.system, 'fin'),
      approval('fin', ['u_b'], 'end'),
    ]);
    const { instanceId, businessKey } = await startErpInstance(world, flowCode, { amount: 1_250 });
    await waitForView(stack.api, instanceId, hasPendingTasks);
    expect(operationsOf(world, instanceId)).toEqual([]);

    // Not compensation_failed: ops cannot retry anything.
    const early = await stack.api.request('POST', retryPath(instanceId), { requestId: uid('req') });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'INSTANCE_NOT_COMPENSATION_FAILED' } });

    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a' }));
    const atFinance = await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.nodeId === 'fin' && t.status === 'pending'));
    expect(atFinance.status).toBe('running');
    expect(atFinance.currentNodeIds).toEqual(['fin']);
    const [reserve] = operationsOf(world, instanceId);
    expect(reserve).toMatchObject({
      operation: 'reserve_budget',
      idempotencyKey: `${instanceId}:reserve:call`,
      method: 'POST',
      path: '/budget/reserve',
      body: { businessKey, amount: 1_250, instanceId },
      requests: 1,
      response: { status: 201, body: { businessKey, amount: 1_250, status: 'reserved' } },
    });
    expect(typeof (reserve!.body as { amount: unknown }).amount).toBe('number');

    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_b' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
    const done = await waitForStatus(stack.api, instanceId, 'approved');
    expect(done.compensations).toEqual([{ nodeId: 'reserve', system: world.system, operation: 'release_budget', status: 'registered' }]);

    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve:call`],
      ['write_back', `${instanceId}:write_back`],
    ]);
    const writeBack = operationsOf(world, instanceId)[1]!;
    expect(writeBack).toMatchObject({
      path: `/documents/purchase_order/${businessKey}/approval-result`,
      body: { status: 'approved', instanceId },
      document: { type: 'purchase_order', id: businessKey },
      requests: 1,
    });
    expect(world.sandbox.state.operations().filter((o) => o.operation === 'release_budget')).toEqual([]);
    expect(reservationsOf(businessKey)).toEqual([[businessKey, 1_250, 'reserved']]);
    expect(world.sandbox.state.rejected()).toEqual([]);

    expect(await sagaTimeline(instanceId)).toEqual([
      ['service_called', 'reserve'],
      ['service_completed', 'reserve'],
      ['instance_completed', null],
      ['written_back', null],
    ]);
    const completed = (await timelineOf(stack.api, instanceId)).find((e) => e.type === 'service_completed')!;
    expect(completed.data).toMatchObject({ system: world.system, operation: 'reserve_budget', httpStatus: 201 });
    expect(await statusAttribute(stack, instanceId)).toBe('approved');
  });
});

describe('the saga', () => {
  it('on reject: compensates the two service nodes newest first, once each, and ends rejected', async () => {
    const flowCode = await publish([
      { id: 'start', type: 'start', next: 'reserve1' },
      service('reserve1', world.system, 'reserve2'),
      service('reserve2', world.system, 'mgr', '_2'),
      approval('mgr', ['u_a'], 'end'),
    ]);
    const { instanceId, businessKey } = await startErpInstance(world, flowCode, { amount: 300 });
    await waitForView(stack.api, instanceId, hasPendingTasks);
    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve1:call`],
      ['reserve_budget', `${instanceId}:reserve2:call`],
    ]);
    expect(reservationsOf(businessKey)).toEqual([
      [businessKey, 300, 'reserved'],
      [`${businessKey}/2`, 300, 'reserved'],
    ]);

    await expectOk(actAs(world, instanceId, { type: 'reject', actorId: 'u_a', comment: '预算不足' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
    const view = await waitForStatus(stack.api, instanceId, 'rejected');

    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve1:call`],
      ['reserve_budget', `${instanceId}:reserve2:call`],
      ['release_budget', `${instanceId}:reserve2:compensate`],
      ['release_budget', `${instanceId}:reserve1:compensate`],
      ['write_back', `${instanceId}:write_back`],
    ]);
    const [, , release2, release1, writeBack] = operationsOf(world, instanceId);
    expect(release2).toMatchObject({ body: { businessKey: `${businessKey}/2` }, requests: 1, response: { status: 200, body: { released: 300 } } });
    expect(release1).toMatchObject({ body: { businessKey }, requests: 1, response: { status: 200, body: { released: 300 } } });
    expect(writeBack).toMatchObject({ body: { status: 'rejected', instanceId }, requests: 1 });
    expect(reservationsOf(businessKey)).toEqual([
      [businessKey, 300, 'released'],
      [`${businessKey}/2`, 300, 'released'],
    ]);

    expect(view.compensations).toEqual([
      { nodeId: 'reserve1', system: world.system, operation: 'release_budget', status: 'compensated' },
      { nodeId: 'reserve2', system: world.system, operation: 'release_budget_2', status: 'compensated' },
    ]);
    expect(view.tasks.map((t) => [t.assigneeId, t.status])).toEqual([['u_a', 'rejected']]);
    expect(await sagaTimeline(instanceId)).toEqual([
      ['service_called', 'reserve1'],
      ['service_completed', 'reserve1'],
      ['service_called', 'reserve2'],
      ['service_completed', 'reserve2'],
      ['compensation_started', null],
      ['compensated', 'reserve2'],
      ['compensated', 'reserve1'],
      ['instance_completed', null],
      ['written_back', null],
    ]);
    const started = (await timelineOf(stack.api, instanceId)).find((e) => e.type === 'compensation_started')!;
    expect(started.data).toEqual({ endingAs: 'rejected', nodeIds: ['reserve2', 'reserve1'] });
    expect(await statusAttribute(stack, instanceId)).toBe('rejected');
  });

  it('on withdraw: the initiator withdraws after the service node → released once, withdrawn', async () => {
    const flowCode = await reserveThenManager();
    const { instanceId, businessKey } = await startErpInstance(world, flowCode);
    await waitForView(stack.api, instanceId, hasPendingTasks);
    expect(operationRows(world, instanceId)).toEqual([['reserve_budget', `${instanceId}:reserve:call`]]);

    await expectOk(actAs(world, instanceId, { type: 'withdraw', actorId: 'u_initiator' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
    const view = await waitForStatus(stack.api, instanceId, 'withdrawn');
    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve:call`],
      ['release_budget', `${instanceId}:reserve:compensate`],
      ['write_back', `${instanceId}:write_back`],
    ]);
    expect(operationsOf(world, instanceId)[1]).toMatchObject({ body: { businessKey }, requests: 1 });
    expect(operationsOf(world, instanceId)[2]).toMatchObject({ body: { status: 'withdrawn' } });
    expect(reservationsOf(businessKey)).toEqual([[businessKey, 1_250, 'released']]);
    expect(view.compensations).toEqual([{ nodeId: 'reserve', system: world.system, operation: 'release_budget', status: 'compensated' }]);
    expect(view.tasks.map((t) => [t.assigneeId, t.status])).toEqual([['u_a', 'cancelled']]);
    expect(await statusAttribute(stack, instanceId)).toBe('withdrawn');
  });

  it('retries of a service call are deduped by the ERP: two 503s, then one reservation', async () => {
    const flowCode = await reserveThenManager();
    world.sandbox.state.setFailure({ target: 'reserve_budget', mode: '5xx', times: 2 });
    const { instanceId, businessKey } = await startErpInstance(world, flowCode, { amount: 777 });
    const view = await waitForView(stack.api, instanceId, hasPendingTasks);
    expect(view.status).toBe('running');

    expect(world.sandbox.state.failures().reserve_budget).toMatchObject({ mode: 'ok', failedRequests: 2 });
    expect(operationsOf(world, instanceId)).toEqual([
      expect.objectContaining({ idempotencyKey: `${instanceId}:reserve:call`, requests: 1, body: { businessKey, amount: 777, instanceId } }),
    ]);
    expect(reservationsOf(businessKey)).toEqual([[businessKey, 777, 'reserved']]);
    expect(await sagaTimeline(instanceId)).toEqual([
      ['service_called', 'reserve'],
      ['service_completed', 'reserve'],
    ]);
    // One activity, retried by Temporal: it succeeded on its third attempt.
    const history = (await stack.temporal.workflow.getHandle(instanceId).fetchHistory()).events ?? [];
    const scheduled = history.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'callErpOperation');
    expect(scheduled).toHaveLength(1);
    const attempts = history.map((e) => e.activityTaskStartedEventAttributes?.attempt).filter((a) => a !== undefined && a !== null);
    expect(attempts).toContain(3);

    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a' }));
    await waitForStatus(stack.api, instanceId, 'approved');
    await stack.temporal.workflow.getHandle(instanceId).result();
    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve:call`],
      ['write_back', `${instanceId}:write_back`],
    ]);
  });

  it('a final 4xx on a service call fails the instance (no retry) after compensating the service nodes before it', async () => {
    const flowCode = await publish([
      { id: 'start', type: 'start', next: 'reserve1' },
      service('reserve1', world.system, 'mgr'),
      approval('mgr', ['u_a'], 'reserve2'),
      service('reserve2', world.system, 'end'),
    ]);
    const { instanceId, businessKey } = await startErpInstance(world, flowCode, { amount: 500 });
    await waitForView(stack.api, instanceId, hasPendingTasks);
    expect(operationRows(world, instanceId)).toEqual([['reserve_budget', `${instanceId}:reserve1:call`]]);

    world.sandbox.state.setFailure({ target: 'reserve_budget', mode: '4xx' });
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
    const view = await waitForStatus(stack.api, instanceId, 'failed');

    // 422 is final: asked once, never again.
    expect(world.sandbox.state.failures().reserve_budget.failedRequests).toBe(1);
    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve1:call`],
      ['release_budget', `${instanceId}:reserve1:compensate`],
      ['write_back', `${instanceId}:write_back`],
    ]);
    expect(operationsOf(world, instanceId)[2]).toMatchObject({ body: { status: 'failed' } });
    expect(reservationsOf(businessKey)).toEqual([[businessKey, 500, 'released']]);
    expect(view.compensations).toEqual([{ nodeId: 'reserve1', system: world.system, operation: 'release_budget', status: 'compensated' }]);
    expect(await sagaTimeline(instanceId)).toEqual([
      ['service_called', 'reserve1'],
      ['service_completed', 'reserve1'],
      ['service_called', 'reserve2'],
      ['service_failed', 'reserve2'],
      ['compensation_started', null],
      ['compensated', 'reserve1'],
      ['instance_completed', null],
      ['written_back', null],
    ]);
    const failed = (await timelineOf(stack.api, instanceId)).find((e) => e.type === 'service_failed')!;
    expect(failed.data).toMatchObject({ system: world.system, operation: 'reserve_budget', httpStatus: 422, error: expect.stringContaining('422') });
    expect(await statusAttribute(stack, instanceId)).toBe('failed');
  });

  it('a compensation failing for good → compensation_failed (still running); ops fix the ERP and retry → rejected, released once', async () => {
    const flowCode = await reserveThenManager();
    const { instanceId, businessKey } = await startErpInstance(world, flowCode);
    await waitForView(stack.api, instanceId, hasPendingTasks);
    world.sandbox.state.setFailure({ target: 'release_budget', mode: '5xx' });

    await expectOk(actAs(world, instanceId, { type: 'reject', actorId: 'u_a' }));
    const stuck = await waitForStatus(stack.api, instanceId, 'compensation_failed');
    expect(stuck.compensations).toEqual([
      { nodeId: 'reserve', system: world.system, operation: 'release_budget', status: 'failed', error: expect.stringContaining('503') },
    ]);
    await pollUntil(
      'ApprovalStatus compensation_failed',
      () => statusAttribute(stack, instanceId),
      (s) => s === 'compensation_failed',
    );
    const handle = stack.temporal.workflow.getHandle(instanceId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    // Three attempts (TEST_RETRIES), none applied; no write-back for an instance that has not ended.
    expect(world.sandbox.state.failures().release_budget.failedRequests).toBe(3);
    expect(operationRows(world, instanceId)).toEqual([['reserve_budget', `${instanceId}:reserve:call`]]);
    expect(reservationsOf(businessKey)).toEqual([[businessKey, 1_250, 'reserved']]);

    world.sandbox.state.setFailure({ target: 'release_budget', mode: 'ok' });

    // Without admin: 403, and nothing happens even though the ERP is healthy again.
    const denied = await world.erp.request('POST', retryPath(instanceId), { requestId: uid('req') });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await viewOf(instanceId)).status).toBe('compensation_failed');
    expect(operationRows(world, instanceId)).toEqual([['reserve_budget', `${instanceId}:reserve:call`]]);
    expect(await timelineTypes(stack.api, instanceId)).not.toContain('compensation_retried');

    const retried = await stack.api.request<InstanceView>('POST', retryPath(instanceId), { requestId: uid('req') });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('rejected');
    expect(retried.body.compensations).toEqual([{ nodeId: 'reserve', system: world.system, operation: 'release_budget', status: 'compensated' }]);
    await handle.result();
    expect(await waitForStatus(stack.api, instanceId, 'rejected')).toMatchObject({ compensations: retried.body.compensations });
    expect(operationRows(world, instanceId)).toEqual([
      ['reserve_budget', `${instanceId}:reserve:call`],
      ['release_budget', `${instanceId}:reserve:compensate`],
      ['write_back', `${instanceId}:write_back`],
    ]);
    expect(operationsOf(world, instanceId)[1]).toMatchObject({ requests: 1, body: { businessKey } });
    expect(operationsOf(world, instanceId)[2]).toMatchObject({ body: { status: 'rejected' } });
    expect(reservationsOf(businessKey)).toEqual([[businessKey, 1_250, 'released']]);
    expect(await statusAttribute(stack, instanceId)).toBe('rejected');

    const timeline = await timelineOf(stack.api, instanceId);
    expect(await sagaTimeline(instanceId)).toEqual([
      ['service_called', 'reserve'],
      ['service_completed', 'reserve'],
      ['compensation_started', null],
      ['compensation_failed', 'reserve'],
      ['instance_completed', null],
      ['compensation_retried', null],
      ['compensated', 'reserve'],
      ['instance_completed', null],
      ['written_back', null],
    ]);
    expect(timeline.filter((e) => e.type === 'instance_completed').map((e) => e.data)).toEqual([
      { status: 'compensation_failed', endingAs: 'rejected' },
      { status: 'rejected' },
    ]);
    expect(timeline.find((e) => e.type === 'compensation_retried')).toMatchObject({ actorId: `app:${stack.appKey}`, data: { nodeIds: ['reserve'] } });

    // The ERP was told twice that the instance ended: compensation_failed (someone must act), then rejected.
    const completions = await pollUntil(
      'approval.completed webhooks',
      async () => world.sandbox.state.events().filter((e) => e.body.instance.instanceId === instanceId && e.type === 'approval.completed'),
      (events) => events.length >= 2,
    );
    expect(completions.map((e) => e.body.instance.status)).toEqual(['compensation_failed', 'rejected']);

    // Nothing to retry any more.
    const again = await stack.api.request('POST', retryPath(instanceId), { requestId: uid('req') });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'INSTANCE_NOT_COMPENSATION_FAILED' } });
    expect(operationsOf(world, instanceId)).toHaveLength(3);
  });
});
