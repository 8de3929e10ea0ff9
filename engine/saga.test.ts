import type { FlowNode } from './dsl';
import { compensationRetryRefusal, retryFailedCompensations, serviceCallAnswered, type Command, type ServiceResult, type Transition } from './instance';
import { Driver, approval, flow, minutesAfter, T0, type DriverOptions, type ErpCommand } from '../test/support/engine-driver';

const start = (next: string): FlowNode => ({ id: 'start', type: 'start', next });
const end: FlowNode = { id: 'end', type: 'end' };
const ID = 'approval:test_flow:BK-1';

const reserve = { system: 'erp', operation: 'reserve_budget' };
const release = { system: 'erp', operation: 'release_budget' };
const book = { system: 'erp', operation: 'book_order' };
const unbook = { system: 'erp', operation: 'cancel_order' };

/** A service node; `compensate: null` leaves it without one. */
function service(id: string, next: string, call = reserve, compensate: typeof release | null = release): FlowNode {
  return { id, type: 'service', call, ...(compensate ? { compensate } : {}), next };
}

const OK: ServiceResult = { ok: true, status: 200 };
const ok = (status = 200): ServiceResult => ({ ok: true, status });
const fail = (error: string, status?: number): ServiceResult => ({ ok: false, error, ...(status !== undefined ? { status } : {}) });

type ServiceCommand = Extract<Command, { type: 'service' }>;
type CompensateCommand = Extract<Command, { type: 'compensate' }>;
type WriteBackCommand = Extract<Command, { type: 'write_back' }>;

const serviceCommands = (d: Driver) => d.log.filter((c): c is ServiceCommand => c.type === 'service');
const compensateCommands = (d: Driver) => d.log.filter((c): c is CompensateCommand => c.type === 'compensate');
const writeBacks = (d: Driver) => d.log.filter((c): c is WriteBackCommand => c.type === 'write_back');
const compensatedOrder = (d: Driver) => compensateCommands(d).map((c) => c.nodeId);
const types = (d: Driver) => d.events().map((e) => e.type);

/** ERP calls of these kinds are held (in `heldCalls`); the rest answer 200. */
const holding =
  (...held: Array<ErpCommand['type']>): NonNullable<DriverOptions['erp']> =>
  (command) =>
    held.includes(command.type) ? 'hold' : OK;

/** Ops retry, as the workflow's handler does; the compensations it asks for are held for the test to answer. */
function retry(d: Driver, actorId = 'ops'): Transition {
  const t = retryFailedCompensations(d.state, actorId, d.now);
  d.state = t.state;
  for (const command of t.commands) {
    d.log.push(command);
    if (command.type === 'compensate' || command.type === 'service' || command.type === 'write_back') d.heldCalls.push(command);
  }
  return t;
}

// start → mgr(u1) → reserve (service, compensate release) → fin(u2) → end
const reserveFlow = flow([start('mgr'), approval('mgr', ['u1'], 'reserve'), service('reserve', 'fin'), approval('fin', ['u2'], 'end'), end]);
// start → a(u1) → s1 → b(u2) → s2 → c(u3) → end
const twoServices = flow([
  start('a'),
  approval('a', ['u1'], 's1'),
  service('s1', 'b', reserve, release),
  approval('b', ['u2'], 's2'),
  service('s2', 'c', book, unbook),
  approval('c', ['u3'], 'end'),
  end,
]);

describe('service node', () => {
  it('entering it records service_called, asks for the call and waits', () => {
    const d = Driver.start(reserveFlow, { erp: holding('service') });
    d.after(3).approve('u1');
    expect(serviceCommands(d)).toEqual([
      { type: 'service', call: reserve, ref: { nodeId: 'reserve', token: '', from: [1] }, idempotencyKey: `${ID}:reserve:call` },
    ]);
    expect(d.events('service_called')).toEqual([
      expect.objectContaining({ nodeId: 'reserve', at: minutesAfter(3), data: { system: 'erp', operation: 'reserve_budget' } }),
    ]);
    expect(d.status).toBe('running');
    expect(d.state.serviceCalls).toEqual([{ nodeId: 'reserve', token: '', from: [1] }]);
    expect(d.nodes()).toEqual([]);
    expect(d.assignees()).toEqual([]);
    expect(d.events('service_completed')).toEqual([]);
  });

  it('a successful answer records service_completed, registers the compensation and goes on to next', () => {
    const d = Driver.start(reserveFlow, { erp: holding('service') });
    d.approve('u1');
    d.after(1).answerCallOf({ ok: true, status: 201, response: { reservationId: 'R-9' } });
    expect(d.events('service_completed')).toEqual([
      expect.objectContaining({
        nodeId: 'reserve',
        at: minutesAfter(1),
        data: { system: 'erp', operation: 'reserve_budget', httpStatus: 201, response: { reservationId: 'R-9' } },
      }),
    ]);
    expect(d.state.serviceCalls).toEqual([]);
    expect(d.state.compensations).toEqual([{ nodeId: 'reserve', call: release, status: 'registered' }]);
    expect(d.nodes()).toEqual(['fin']);
    expect(d.assignees()).toEqual(['u2']);
    expect(d.status).toBe('running');
    expect(types(d)).toEqual([
      'instance_started',
      'node_entered',
      'task_created',
      'approved',
      'node_completed',
      'service_called',
      'service_completed',
      'node_entered',
      'task_created',
    ]);
  });

  it('a node without compensate registers nothing', () => {
    const d = Driver.start(flow([start('s'), service('s', 'a', reserve, null), approval('a', ['u1'], 'end'), end]));
    expect(d.events('service_completed')).toHaveLength(1);
    expect(d.state.compensations ?? []).toEqual([]);
    expect(d.assignees()).toEqual(['u1']);
    d.reject('u1');
    expect(d.status).toBe('rejected');
    expect(compensateCommands(d)).toEqual([]);
    expect(d.events('compensation_started')).toEqual([]);
  });

  it('a second answer to the same call changes nothing', () => {
    const d = Driver.start(reserveFlow, { erp: holding('service') });
    d.approve('u1');
    const [call] = d.heldCalls as ServiceCommand[];
    d.answerCallOf(OK);
    const before = d.state;
    const again = serviceCallAnswered(d.state, call!.ref, fail('late duplicate', 500), d.now);
    expect(again.state).toEqual(before);
    expect(again.commands).toEqual([]);
  });

  it('service nodes back to back call one after the other, each once', () => {
    const d = Driver.start(flow([start('s1'), service('s1', 's2', reserve, release), service('s2', 'a', book, unbook), approval('a', ['u1'], 'end'), end]), {
      erp: holding('service'),
    });
    expect(serviceCommands(d).map((c) => c.ref.nodeId)).toEqual(['s1']);
    d.answerCallOf(OK);
    expect(serviceCommands(d).map((c) => c.ref.nodeId)).toEqual(['s1', 's2']);
    expect(serviceCommands(d)[1]).toEqual({ type: 'service', call: book, ref: { nodeId: 's2', token: '', from: [] }, idempotencyKey: `${ID}:s2:call` });
    d.answerCallOf(OK);
    expect(d.assignees()).toEqual(['u1']);
    expect(d.state.compensations?.map((c) => c.nodeId)).toEqual(['s1', 's2']);
  });

  it('a final failure with nothing to undo ends the instance failed at once', () => {
    const d = Driver.start(reserveFlow, { erp: (c) => (c.type === 'service' ? fail('budget closed', 422) : OK) });
    d.after(2).approve('u1');
    expect(d.status).toBe('failed');
    expect(d.state.completedAt).toBe(minutesAfter(2));
    expect(d.events('service_failed')).toEqual([
      expect.objectContaining({ nodeId: 'reserve', data: { system: 'erp', operation: 'reserve_budget', error: 'budget closed', httpStatus: 422 } }),
    ]);
    expect(d.events('instance_completed')).toEqual([expect.objectContaining({ data: { status: 'failed' } })]);
    expect(d.events('compensation_started')).toEqual([]);
    expect(d.state.compensations ?? []).toEqual([]);
    expect(d.state.serviceCalls).toEqual([]);
    expect(d.nodes()).toEqual([]);
    expect(d.tasks('fin')).toEqual([]);
  });

  it('a failure without an http status records none', () => {
    const d = Driver.start(reserveFlow, { erp: (c) => (c.type === 'service' ? fail('retries exhausted') : OK) });
    d.approve('u1');
    expect(d.events('service_failed')[0]!.data).toEqual({ system: 'erp', operation: 'reserve_budget', error: 'retries exhausted' });
    expect(d.status).toBe('failed');
  });

  it('a failure cancels the open tasks of other branches (reason instance_failed)', () => {
    const d = Driver.start(
      flow([
        start('fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 's'] },
        approval('a', ['u1', 'u2'], 'join'),
        service('s', 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
      { erp: holding('service') },
    );
    d.approve('u1');
    expect(d.assignees()).toEqual(['u2']);
    d.after(5).answerCallOf(fail('no budget', 400));
    expect(d.status).toBe('failed');
    expect(d.task('u2')).toMatchObject({ status: 'cancelled', reason: 'instance_failed', completedAt: minutesAfter(5) });
    expect(d.task('u1').status).toBe('approved');
    expect(d.state.runs).toEqual([]);
    expect(d.state.forks).toEqual([]);
  });

  it('a failure compensates the service nodes that succeeded before it, then ends failed', () => {
    const d = Driver.start(twoServices, {
      erp: (c) => (c.type === 'service' && c.ref.nodeId === 's2' ? fail('order rejected', 409) : c.type === 'compensate' ? 'hold' : OK),
    });
    d.approve('u1');
    d.approve('u2');
    expect(d.status).toBe('compensating');
    expect(d.state.endingAs).toBe('failed');
    expect(d.state.completedAt).toBeUndefined();
    expect(d.events('compensation_started')).toEqual([expect.objectContaining({ data: { endingAs: 'failed', nodeIds: ['s1'] } })]);
    expect(compensateCommands(d)).toEqual([{ type: 'compensate', nodeId: 's1', call: release, idempotencyKey: `${ID}:s1:compensate` }]);
    d.after(1).answerCallOf(OK, 's1');
    expect(d.status).toBe('failed');
    expect(d.state.completedAt).toBe(d.now);
    expect(d.state.compensations).toEqual([{ nodeId: 's1', call: release, status: 'compensated' }]);
    expect(types(d).slice(-5)).toEqual(['service_called', 'service_failed', 'compensation_started', 'compensated', 'instance_completed']);
    expect(d.events('instance_completed')).toEqual([expect.objectContaining({ data: { status: 'failed' } })]);
  });
});

describe('saga: compensations when the instance ends rejected, withdrawn or failed', () => {
  /** Through a, s1, b, s2 to c (u3), both services succeeded; compensations held. */
  const atC = () => {
    const d = Driver.start(twoServices, { erp: holding('compensate') });
    d.approve('u1');
    d.approve('u2');
    expect(d.assignees()).toEqual(['u3']);
    return d;
  };

  it('a reject runs every registered compensation, newest first, and waits in compensating', () => {
    const d = atC();
    d.after(10).reject('u3');
    expect(d.status).toBe('compensating');
    expect(d.state.endingAs).toBe('rejected');
    expect(d.state.completedAt).toBeUndefined();
    expect(d.events('compensation_started')).toEqual([
      expect.objectContaining({ at: minutesAfter(10), data: { endingAs: 'rejected', nodeIds: ['s2', 's1'] } }),
    ]);
    expect(compensateCommands(d)).toEqual([
      { type: 'compensate', nodeId: 's2', call: unbook, idempotencyKey: `${ID}:s2:compensate` },
      { type: 'compensate', nodeId: 's1', call: release, idempotencyKey: `${ID}:s1:compensate` },
    ]);
    expect(d.state.compensations?.map((c) => [c.nodeId, c.status])).toEqual([
      ['s1', 'running'],
      ['s2', 'running'],
    ]);
    expect(d.events('instance_completed')).toEqual([]);
    expect(d.task('u3')).toMatchObject({ status: 'rejected' });

    d.after(1).answerCallOf(OK, 's2');
    expect(d.status).toBe('compensating');
    expect(d.events('compensated')).toEqual([expect.objectContaining({ nodeId: 's2', data: { system: 'erp', operation: 'cancel_order', httpStatus: 200 } })]);
    d.after(1).answerCallOf(ok(204), 's1');
    expect(d.status).toBe('rejected');
    expect(d.state.completedAt).toBe(minutesAfter(12));
    expect(d.events('compensated').map((e) => [e.nodeId, e.data.httpStatus])).toEqual([
      ['s2', 200],
      ['s1', 204],
    ]);
    expect(d.events('instance_completed')).toEqual([expect.objectContaining({ at: minutesAfter(12), data: { status: 'rejected' } })]);
    expect(d.state.compensations?.map((c) => c.status)).toEqual(['compensated', 'compensated']);
  });

  it('answers may come in any order; the instance ends only when the last one is in', () => {
    const d = atC();
    d.reject('u3');
    d.answerCallOf(OK, 's1');
    expect(d.status).toBe('compensating');
    d.answerCallOf(OK, 's2');
    expect(d.status).toBe('rejected');
  });

  it('a withdraw cancels the open tasks, compensates, then ends withdrawn', () => {
    const d = atC();
    d.do('withdraw', 'init');
    expect(d.task('u3')).toMatchObject({ status: 'cancelled', reason: 'withdrawn' });
    expect(d.status).toBe('compensating');
    expect(d.events('compensation_started')[0]!.data).toEqual({ endingAs: 'withdrawn', nodeIds: ['s2', 's1'] });
    d.answerCallOf(OK, 's2');
    d.answerCallOf(OK, 's1');
    expect(d.status).toBe('withdrawn');
    expect(d.events('instance_completed')).toEqual([expect.objectContaining({ data: { status: 'withdrawn' } })]);
  });

  it('only the compensations registered so far run', () => {
    const d = Driver.start(twoServices, { erp: holding('compensate') });
    d.approve('u1');
    d.reject('u2');
    expect(d.events('compensation_started')[0]!.data).toEqual({ endingAs: 'rejected', nodeIds: ['s1'] });
    expect(compensatedOrder(d)).toEqual(['s1']);
  });

  it('an approved instance never compensates', () => {
    const d = Driver.start(twoServices);
    d.approve('u1');
    d.approve('u2');
    d.approve('u3');
    expect(d.status).toBe('approved');
    expect(compensateCommands(d)).toEqual([]);
    expect(d.events('compensation_started')).toEqual([]);
    expect(d.state.compensations?.map((c) => c.status)).toEqual(['registered', 'registered']);
  });

  it('with compensations answered at once the instance ends in the same step', () => {
    const d = Driver.start(twoServices);
    d.approve('u1');
    d.approve('u2');
    d.reject('u3');
    expect(d.status).toBe('rejected');
    expect(types(d).slice(-6)).toEqual(['rejected', 'node_completed', 'compensation_started', 'compensated', 'compensated', 'instance_completed']);
  });

  it('actions are refused while compensating', () => {
    const d = Driver.start(
      flow([
        start('s'),
        service('s', 'fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 'b'] },
        approval('a', ['u1'], 'join'),
        approval('b', ['u2'], 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
      { erp: holding('compensate') },
    );
    d.reject('u1');
    expect(d.status).toBe('compensating');
    expect(d.check('withdraw', 'init')).toBe('INSTANCE_NOT_RUNNING');
    expect(d.check('approve', 'u2')).toBe('INSTANCE_NOT_RUNNING');
    expect(d.check('comment', 'u2', { comment: 'hi' })).toBe('INSTANCE_NOT_RUNNING');
    expect(d.check('urge', 'init')).toBe('INSTANCE_NOT_RUNNING');
  });

  describe('a compensation that fails for good', () => {
    const failingS1 = (d: Driver) => {
      d.reject('u3');
      d.after(1).answerCallOf(OK, 's2');
      d.after(1).answerCallOf(fail('ERP down', 503), 's1');
    };

    it('marks the instance compensation_failed, with the reason on the compensation', () => {
      const d = atC();
      failingS1(d);
      expect(d.status).toBe('compensation_failed');
      expect(d.state.endingAs).toBe('rejected');
      expect(d.state.completedAt).toBe(minutesAfter(2));
      expect(d.events('compensation_failed')).toEqual([
        expect.objectContaining({ nodeId: 's1', data: { system: 'erp', operation: 'release_budget', error: 'ERP down', httpStatus: 503 } }),
      ]);
      expect(d.events('instance_completed')).toEqual([expect.objectContaining({ data: { status: 'compensation_failed', endingAs: 'rejected' } })]);
      expect(d.state.compensations).toEqual([
        { nodeId: 's1', call: release, status: 'failed', error: 'ERP down' },
        { nodeId: 's2', call: unbook, status: 'compensated' },
      ]);
      expect(d.check('withdraw', 'init')).toBe('INSTANCE_NOT_RUNNING');
    });

    it('waits for the others still out before giving up', () => {
      const d = atC();
      d.reject('u3');
      d.answerCallOf(fail('boom'), 's2');
      expect(d.status).toBe('compensating');
      expect(d.events('instance_completed')).toEqual([]);
      d.answerCallOf(OK, 's1');
      expect(d.status).toBe('compensation_failed');
    });

    it('compensationRetryRefusal allows a retry only in compensation_failed', () => {
      const d = atC();
      expect(compensationRetryRefusal(d.state)).toEqual({
        code: 'INSTANCE_NOT_COMPENSATION_FAILED',
        message: `instance ${ID} is running, not compensation_failed`,
      });
      d.reject('u3');
      expect(compensationRetryRefusal(d.state)).toEqual({
        code: 'INSTANCE_NOT_COMPENSATION_FAILED',
        message: `instance ${ID} is compensating, not compensation_failed`,
      });
      d.answerCallOf(OK, 's2');
      d.answerCallOf(fail('ERP down'), 's1');
      expect(compensationRetryRefusal(d.state)).toBeUndefined();
    });

    it('a retry re-runs only the failed ones; success ends with the original status', () => {
      const d = atC();
      failingS1(d);
      const before = compensateCommands(d).length;
      d.after(60);
      const t = retry(d, 'ops1');
      expect(t.commands.filter((c) => c.type === 'compensate')).toEqual([
        { type: 'compensate', nodeId: 's1', call: release, idempotencyKey: `${ID}:s1:compensate` },
      ]);
      expect(compensateCommands(d)).toHaveLength(before + 1);
      expect(d.status).toBe('compensating');
      expect(d.state.completedAt).toBeUndefined();
      expect(d.state.compensations?.find((c) => c.nodeId === 's1')).toEqual({ nodeId: 's1', call: release, status: 'running' });
      expect(d.events('compensation_retried')).toEqual([expect.objectContaining({ actorId: 'ops1', at: minutesAfter(62), data: { nodeIds: ['s1'] } })]);
      d.after(1).answerCallOf(OK, 's1');
      expect(d.status).toBe('rejected');
      expect(d.state.completedAt).toBe(minutesAfter(63));
      expect(d.events('instance_completed').map((e) => e.data)).toEqual([{ status: 'compensation_failed', endingAs: 'rejected' }, { status: 'rejected' }]);
      expect(d.state.compensations?.map((c) => c.status)).toEqual(['compensated', 'compensated']);
    });

    it('a retry of several failed ones runs them newest first; a second failure waits for ops again', () => {
      const d = atC();
      d.reject('u3');
      d.answerCallOf(fail('a'), 's2');
      d.answerCallOf(fail('b'), 's1');
      expect(d.status).toBe('compensation_failed');
      retry(d);
      expect(compensatedOrder(d)).toEqual(['s2', 's1', 's2', 's1']);
      expect(d.events('compensation_retried')[0]!.data).toEqual({ nodeIds: ['s2', 's1'] });
      d.answerCallOf(OK, 's2');
      d.answerCallOf(fail('still down'), 's1');
      expect(d.status).toBe('compensation_failed');
      expect(d.state.compensations?.map((c) => [c.nodeId, c.status, c.error])).toEqual([
        ['s1', 'failed', 'still down'],
        ['s2', 'compensated', undefined],
      ]);
      retry(d);
      expect(compensatedOrder(d)).toEqual(['s2', 's1', 's2', 's1', 's1']);
      d.answerCallOf(OK, 's1');
      expect(d.status).toBe('rejected');
    });

    it('a retry outside compensation_failed does nothing', () => {
      const d = atC();
      const t = retryFailedCompensations(d.state, 'ops', d.now);
      expect(t.state).toEqual(d.state);
      expect(t.commands).toEqual([]);
    });

    it('ends failed after a retry when the instance was failing', () => {
      const d = Driver.start(twoServices, {
        erp: (c) => (c.type === 'service' && c.ref.nodeId === 's2' ? fail('nope', 400) : c.type === 'compensate' ? 'hold' : OK),
      });
      d.approve('u1');
      d.approve('u2');
      d.answerCallOf(fail('down'), 's1');
      expect(d.status).toBe('compensation_failed');
      expect(d.state.endingAs).toBe('failed');
      retry(d);
      d.answerCallOf(OK, 's1');
      expect(d.status).toBe('failed');
    });
  });

  describe('passing a service node twice', () => {
    it('a return and back through the node calls it again but compensates it once', () => {
      const d = Driver.start(reserveFlow);
      d.approve('u1');
      d.do('return', 'u2', { targetNodeId: 'mgr' });
      d.approve('u1');
      expect(serviceCommands(d).map((c) => c.idempotencyKey)).toEqual([`${ID}:reserve:call`, `${ID}:reserve:call`]);
      expect(d.state.compensations).toEqual([{ nodeId: 'reserve', call: release, status: 'registered' }]);
      d.reject('u2');
      expect(d.status).toBe('rejected');
      expect(compensateCommands(d)).toEqual([{ type: 'compensate', nodeId: 'reserve', call: release, idempotencyKey: `${ID}:reserve:compensate` }]);
      expect(d.events('compensation_started')[0]!.data).toEqual({ endingAs: 'rejected', nodeIds: ['reserve'] });
    });

    it('a resubmit after a return to the initiator runs the flow again; still one compensation per node', () => {
      const d = Driver.start(twoServices);
      d.approve('u1');
      d.approve('u2');
      d.do('return', 'u3', { targetNodeId: 'start' });
      d.do('resubmit', 'init');
      d.approve('u1');
      d.approve('u2');
      expect(serviceCommands(d).map((c) => c.ref.nodeId)).toEqual(['s1', 's2', 's1', 's2']);
      d.do('withdraw', 'init');
      expect(d.status).toBe('withdrawn');
      expect(compensatedOrder(d)).toEqual(['s2', 's1']);
    });

    // Documents the current rule ("one compensation per node, at the newest place"): s1 passed
    // again after s2 now counts as newer than s2, so it is undone first.
    it('the node passed again moves to the newest place', () => {
      const d = Driver.start(twoServices);
      d.approve('u1');
      d.approve('u2');
      d.do('return', 'u3', { targetNodeId: 'a' });
      d.approve('u1');
      expect(d.state.compensations?.map((c) => c.nodeId)).toEqual(['s2', 's1']);
      d.reject('u2');
      expect(d.events('compensation_started')[0]!.data).toEqual({ endingAs: 'rejected', nodeIds: ['s1', 's2'] });
      expect(compensatedOrder(d)).toEqual(['s1', 's2']);
      expect(d.status).toBe('rejected');
    });
  });

  describe('a service call still out when the instance ends', () => {
    // start → pre (service) → fork [a(u1) , s (service)] → join → end
    const forked = flow([
      start('pre'),
      service('pre', 'fork', book, unbook),
      { id: 'fork', type: 'parallel', branches: ['a', 's'] },
      approval('a', ['u1'], 'join'),
      service('s', 'join', reserve, release),
      { id: 'join', type: 'join', next: 'end' },
      end,
    ]);
    const holdS: NonNullable<DriverOptions['erp']> = (c) => (c.type === 'service' && c.ref.nodeId === 's' ? 'hold' : OK);

    it('the instance waits in compensating until the call answers; a late success is compensated too', () => {
      const d = Driver.start(forked, { erp: holdS });
      expect(d.state.serviceCalls?.map((c) => c.nodeId)).toEqual(['s']);
      d.after(5).reject('u1');
      expect(d.status).toBe('compensating');
      expect(d.events('compensation_started')[0]!.data).toEqual({ endingAs: 'rejected', nodeIds: ['pre'] });
      expect(compensatedOrder(d)).toEqual(['pre']);
      expect(d.events('compensated').map((e) => e.nodeId)).toEqual(['pre']);
      expect(d.events('instance_completed')).toEqual([]);
      expect(d.check('withdraw', 'init')).toBe('INSTANCE_NOT_RUNNING');

      d.after(5).answerCallOf(OK, 's');
      expect(compensatedOrder(d)).toEqual(['pre', 's']);
      expect(compensateCommands(d)[1]).toEqual({ type: 'compensate', nodeId: 's', call: release, idempotencyKey: `${ID}:s:compensate` });
      expect(d.status).toBe('rejected');
      expect(d.state.completedAt).toBe(minutesAfter(10));
      expect(d.events('joined')).toEqual([]);
      expect(d.state.serviceCalls).toEqual([]);
      expect(types(d).slice(-3)).toEqual(['service_completed', 'compensated', 'instance_completed']);
    });

    it('with nothing registered yet it still waits for the call', () => {
      const d = Driver.start(
        flow([
          start('fork'),
          { id: 'fork', type: 'parallel', branches: ['a', 's'] },
          approval('a', ['u1'], 'join'),
          service('s', 'join'),
          { id: 'join', type: 'join', next: 'end' },
          end,
        ]),
        { erp: holding('service', 'compensate') },
      );
      d.reject('u1');
      expect(d.status).toBe('compensating');
      expect(d.events('compensation_started')[0]!.data).toEqual({ endingAs: 'rejected', nodeIds: [] });
      expect(compensateCommands(d)).toEqual([]);
      d.answerCallOf(OK, 's');
      expect(d.status).toBe('compensating');
      expect(compensatedOrder(d)).toEqual(['s']);
      d.answerCallOf(OK, 's');
      expect(d.status).toBe('rejected');
    });

    it('a late failure just settles: nothing more to undo for it', () => {
      const d = Driver.start(forked, { erp: holdS });
      d.reject('u1');
      d.after(5).answerCallOf(fail('too late', 500), 's');
      expect(d.status).toBe('rejected');
      expect(compensatedOrder(d)).toEqual(['pre']);
      expect(d.events('service_failed')).toHaveLength(1);
      expect(d.events('instance_completed')).toEqual([expect.objectContaining({ data: { status: 'rejected' } })]);
      expect(d.state.compensations?.map((c) => [c.nodeId, c.status])).toEqual([['pre', 'compensated']]);
    });

    it('a withdraw while the call is out also waits for it', () => {
      const d = Driver.start(forked, { erp: holdS });
      d.do('withdraw', 'init');
      expect(d.status).toBe('compensating');
      d.answerCallOf(OK, 's');
      expect(d.status).toBe('withdrawn');
      expect(compensatedOrder(d)).toEqual(['pre', 's']);
    });

    it('one branch failing while the other branch call is out: failed once that one is undone', () => {
      const d = Driver.start(
        flow([
          start('fork'),
          { id: 'fork', type: 'parallel', branches: ['s1', 's2'] },
          service('s1', 'join', reserve, release),
          service('s2', 'join', book, unbook),
          { id: 'join', type: 'join', next: 'end' },
          end,
        ]),
        { erp: holding('service') },
      );
      expect(d.state.serviceCalls?.map((c) => c.nodeId)).toEqual(['s1', 's2']);
      d.answerCallOf(fail('nope', 400), 's1');
      expect(d.status).toBe('compensating');
      expect(d.state.endingAs).toBe('failed');
      d.answerCallOf(OK, 's2');
      expect(compensatedOrder(d)).toEqual(['s2']);
      expect(d.status).toBe('failed');
      expect(d.events('joined')).toEqual([]);
    });

    it('a late success whose compensation fails leaves compensation_failed', () => {
      const d = Driver.start(forked, {
        erp: (c) => (c.type === 'service' && c.ref.nodeId === 's' ? 'hold' : c.type === 'compensate' && c.nodeId === 's' ? fail('x') : OK),
      });
      d.reject('u1');
      d.answerCallOf(OK, 's');
      expect(d.status).toBe('compensation_failed');
      expect(d.state.endingAs).toBe('rejected');
    });
  });
});

describe('write-back', () => {
  const source = { system: 'crm', type: 'purchase_order', id: 'PO-7' };
  const input = { writeBack: true, source };

  it('runs once when the instance is approved; its answer is recorded and changes no status', () => {
    const d = Driver.start(reserveFlow, { input, erp: holding('write_back') });
    d.approve('u1');
    expect(writeBacks(d)).toEqual([]);
    d.approve('u2');
    expect(d.status).toBe('approved');
    expect(writeBacks(d)).toEqual([{ type: 'write_back', status: 'approved', idempotencyKey: `${ID}:write_back` }]);
    d.after(1).answerCallOf(ok(202));
    expect(d.status).toBe('approved');
    expect(d.events('written_back')).toEqual([expect.objectContaining({ at: minutesAfter(1), data: { system: 'crm', httpStatus: 202 } })]);
    expect(d.events('write_back_failed')).toEqual([]);
    expect(writeBacks(d)).toHaveLength(1);
  });

  it('a failed write-back is recorded and the status stays', () => {
    const d = Driver.start(reserveFlow, { input, erp: (c) => (c.type === 'write_back' ? fail('ERP 500', 500) : OK) });
    d.approve('u1');
    d.reject('u2');
    expect(d.status).toBe('rejected');
    expect(d.events('write_back_failed')).toEqual([expect.objectContaining({ data: { system: 'crm', error: 'ERP 500', httpStatus: 500 } })]);
    expect(d.events('written_back')).toEqual([]);
    expect(writeBacks(d)).toEqual([{ type: 'write_back', status: 'rejected', idempotencyKey: `${ID}:write_back` }]);
  });

  it('waits for the compensations and carries the final status', () => {
    const d = Driver.start(reserveFlow, { input, erp: holding('compensate') });
    d.approve('u1');
    d.reject('u2');
    expect(d.status).toBe('compensating');
    expect(writeBacks(d)).toEqual([]);
    d.answerCallOf(OK, 'reserve');
    expect(writeBacks(d)).toEqual([{ type: 'write_back', status: 'rejected', idempotencyKey: `${ID}:write_back` }]);
    const i = d.log.findIndex((c) => c.type === 'write_back');
    expect(d.log.slice(0, i).filter((c) => c.type === 'compensate')).toHaveLength(1);
  });

  it('not for compensation_failed; once a retry resolves it, exactly once', () => {
    const d = Driver.start(reserveFlow, { input, erp: holding('compensate') });
    d.approve('u1');
    d.do('withdraw', 'init');
    d.answerCallOf(fail('down'), 'reserve');
    expect(d.status).toBe('compensation_failed');
    expect(writeBacks(d)).toEqual([]);
    retry(d);
    expect(writeBacks(d)).toEqual([]);
    d.answerCallOf(OK, 'reserve');
    expect(d.status).toBe('withdrawn');
    expect(writeBacks(d)).toEqual([{ type: 'write_back', status: 'withdrawn', idempotencyKey: `${ID}:write_back` }]);
  });

  it('for a failed instance too', () => {
    const d = Driver.start(reserveFlow, { input, erp: (c) => (c.type === 'service' ? fail('no', 400) : OK) });
    d.approve('u1');
    expect(d.status).toBe('failed');
    expect(writeBacks(d)).toEqual([{ type: 'write_back', status: 'failed', idempotencyKey: `${ID}:write_back` }]);
    expect(d.events('written_back')).toHaveLength(1);
  });

  it('none without the flag or without a source', () => {
    for (const extra of [{ source }, { writeBack: true }, { writeBack: false, source }]) {
      const d = Driver.start(reserveFlow, { input: extra });
      d.approve('u1');
      d.approve('u2');
      expect(d.status).toBe('approved');
      expect(writeBacks(d)).toEqual([]);
    }
  });

  it('an instance approved at start writes back at once', () => {
    const d = Driver.start(flow([start('end'), end]), { input, now: T0 });
    expect(d.status).toBe('approved');
    expect(writeBacks(d)).toEqual([{ type: 'write_back', status: 'approved', idempotencyKey: `${ID}:write_back` }]);
  });
});

// A service call still out when a return undoes the path it was on is abandoned: its late answer
// is recorded (a success stays compensable) but does not walk on; a revoke waits for it.
describe('a service call out while its path is undone', () => {
  it('a return to a node before the fork: the late answer must not throw or continue the old branch', () => {
    const d = Driver.start(
      flow([
        start('pre'),
        approval('pre', ['u0'], 'fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 's'] },
        approval('a', ['u1'], 'join'),
        service('s', 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
      { erp: holding('service') },
    );
    d.approve('u0');
    d.do('return', 'u1', { targetNodeId: 'pre' });
    expect(d.nodes()).toEqual(['pre']);
    const late = serviceCallAnswered(d.state, { nodeId: 's', token: d.state.serviceCalls![0]!.token, from: d.state.serviceCalls![0]!.from }, OK, d.now);
    expect(late.state.status).toBe('running');
    expect(late.state.runs.map((r) => r.nodeId)).toEqual(['pre']);
  });

  it('a return to the initiator: the late answer must not open the next node while awaiting resubmit', () => {
    const d = Driver.start(
      flow([
        start('fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 's'] },
        approval('a', ['u1'], 'join'),
        service('s', 'b'),
        approval('b', ['u2'], 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
      { erp: holding('service') },
    );
    d.do('return', 'u1', { targetNodeId: 'start' });
    d.answerCallOf(OK, 's');
    expect(d.state.awaitingResubmit).toBe(true);
    expect(d.state.runs).toEqual([]);
    expect(d.assignees()).toEqual([]);
  });

  it('a revoke of the approval before the node: never two live runs on a sequential path', () => {
    const d = Driver.start(reserveFlow, { erp: holding('service') });
    d.approve('u1');
    expect(d.check('revoke', 'u1')).toBe('REVOKE_NOT_ALLOWED');
    d.answerCallOf(OK, 'reserve');
    expect(d.state.runs.map((r) => r.nodeId)).toEqual(['fin']);
  });

  it('a success that came back after a return is compensated when the instance is later rejected', () => {
    const d = Driver.start(
      flow([
        start('pre'),
        approval('pre', ['u0'], 'fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 's'] },
        approval('a', ['u1'], 'join'),
        service('s', 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
      { erp: holding('service', 'compensate') },
    );
    d.approve('u0');
    d.do('return', 'u1', { targetNodeId: 'pre' });
    d.answerCallOf(OK, 's');
    expect(d.state.compensations?.map((c) => [c.nodeId, c.status])).toEqual([['s', 'registered']]);
    d.do('reject', 'u0');
    expect(d.state.status).toBe('compensating');
    d.answerCallOf(OK, 's');
    expect(d.status).toBe('rejected');
  });
});
