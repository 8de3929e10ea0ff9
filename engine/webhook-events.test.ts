import type { FlowNode } from './dsl';
import { retryFailedCompensations, startInstance, type Command, type ServiceResult, type StartInstanceInput, type WebhookEvent } from './instance';
import { Driver, approval, flow, line, minutesAfter, T0, type DriverOptions } from '../test/support/engine-driver';
import { WEBHOOK_TYPES, webhookEventsBetween } from './webhook-events';

const start = (next: string): FlowNode => ({ id: 'start', type: 'start', next });
const end: FlowNode = { id: 'end', type: 'end' };
const ID = 'approval:test_flow:BK-1';
const CALLBACK = 'https://erp.example.com/hooks/approval?tenant=7';
const source = { system: 'erp', type: 'purchase_order', id: 'PO-1' };
const on: Partial<StartInstanceInput> = { webhooks: true, callbackUrl: CALLBACK, source };
const OK: ServiceResult = { ok: true, status: 200 };
const form = { amount: 100, category: 'office' };

type WebhookCommand = Extract<Command, { type: 'webhook' }>;
const seqOf = (e: WebhookEvent) => Number(e.eventId.split(':').at(-2));
/**
 * The webhook events in the order the workflow sends them (by seq). The driver's log is not in
 * that order: it answers a transition's lookups (nested) before logging the webhooks that
 * transition emitted after them.
 */
const hooks = (d: Driver): WebhookEvent[] =>
  d.log
    .filter((c): c is WebhookCommand => c.type === 'webhook')
    .map((c) => c.event)
    .sort((a, b) => seqOf(a) - seqOf(b));
/** [type, taskId or status] of each event, in order. */
const summary = (d: Driver) => hooks(d).map((e) => [e.type, e.task ? `${e.task.taskId}:${e.task.status}` : e.instance.status]);

const started = (definition = line(['a', ['u1']], ['b', ['u2']]), options: DriverOptions = {}) =>
  Driver.start(definition, { ...options, input: { ...on, ...options.input } });

describe('webhook events', () => {
  it('exports the three SPEC §8 types', () => {
    expect(WEBHOOK_TYPES).toEqual(['approval.task.created', 'approval.task.completed', 'approval.completed']);
  });

  it('a two-step flow approved step by step gives exactly these events, in order', () => {
    const d = started();
    d.after(1).approve('u1', { comment: 'ok' });
    d.after(1).approve('u2');
    expect(hooks(d).map((e) => [e.eventId, e.type, e.task?.taskId ?? null])).toEqual([
      [`${ID}:1:approval.task.created`, 'approval.task.created', 'a.1'],
      [`${ID}:2:approval.task.completed`, 'approval.task.completed', 'a.1'],
      [`${ID}:3:approval.task.created`, 'approval.task.created', 'b.2'],
      [`${ID}:4:approval.task.completed`, 'approval.task.completed', 'b.2'],
      [`${ID}:5:approval.completed`, 'approval.completed', null],
    ]);
  });

  it('carries the task, the instance snapshot and the time of the change', () => {
    const d = started();
    d.after(1).approve('u1', { comment: 'ok' });
    d.after(1).approve('u2');
    const [created, completed, , last, done] = hooks(d);
    const instance = { instanceId: ID, flowCode: 'test_flow', flowVersion: 1, businessKey: 'BK-1', source, form };
    expect(created).toEqual({
      eventId: `${ID}:1:approval.task.created`,
      type: 'approval.task.created',
      occurredAt: T0,
      instance: { ...instance, status: 'running' },
      task: { taskId: 'a.1', nodeId: 'a', assigneeId: 'u1', status: 'pending' },
    });
    expect(completed).toEqual({
      eventId: `${ID}:2:approval.task.completed`,
      type: 'approval.task.completed',
      occurredAt: minutesAfter(1),
      instance: { ...instance, status: 'running' },
      task: { taskId: 'a.1', nodeId: 'a', assigneeId: 'u1', status: 'approved', comment: 'ok' },
    });
    // The last approval and the end happen in one transition: both show the status it left.
    expect(last!.instance.status).toBe('approved');
    expect(last!.task).toEqual({ taskId: 'b.2', nodeId: 'b', assigneeId: 'u2', status: 'approved' });
    expect(done).toEqual({
      eventId: `${ID}:5:approval.completed`,
      type: 'approval.completed',
      occurredAt: minutesAfter(2),
      instance: { ...instance, status: 'approved' },
      trail: [
        { nodeId: 'a', actorId: 'u1', action: 'approved', at: minutesAfter(1), comment: 'ok' },
        { nodeId: 'b', actorId: 'u2', action: 'approved', at: minutesAfter(2) },
      ],
    });
  });

  it('without a source the snapshot has none', () => {
    const d = Driver.start(line(['a', ['u1']]), { input: { webhooks: true, callbackUrl: CALLBACK } });
    expect(hooks(d)[0]!.instance).toEqual({ instanceId: ID, flowCode: 'test_flow', flowVersion: 1, businessKey: 'BK-1', status: 'running', form });
  });

  it('none without the flag, or without a callbackUrl', () => {
    for (const input of [
      { callbackUrl: CALLBACK, source },
      { webhooks: false, callbackUrl: CALLBACK },
      { webhooks: true },
      { webhooks: true, callbackUrl: '' },
    ]) {
      const d = Driver.start(line(['a', ['u1']], ['b', ['u2']]), { input });
      d.approve('u1');
      d.do('transfer', 'u2', { toUserId: 'u3' });
      d.reject('u3');
      expect(d.status).toBe('rejected');
      expect(hooks(d)).toEqual([]);
      expect(d.state.nextWebhookSeq).toBeUndefined();
    }
  });

  it('a transfer: the old task completed (transferred), then the new one created', () => {
    const d = started(line(['a', ['u1']]));
    d.after(1).do('transfer', 'u1', { toUserId: 'u7', comment: 'on leave' });
    expect(summary(d)).toEqual([
      ['approval.task.created', 'a.1:pending'],
      ['approval.task.completed', 'a.1:transferred'],
      ['approval.task.created', 'a.2:pending'],
    ]);
    expect(hooks(d)[1]!.task).toEqual({ taskId: 'a.1', nodeId: 'a', assigneeId: 'u1', status: 'transferred', comment: 'on leave' });
    expect(hooks(d)[2]!.task).toEqual({ taskId: 'a.2', nodeId: 'a', assigneeId: 'u7', status: 'pending' });
    d.after(1).approve('u7');
    const done = hooks(d).at(-1)!;
    expect(done.type).toBe('approval.completed');
    expect(done.trail).toEqual([
      { nodeId: 'a', actorId: 'u1', action: 'transferred', at: minutesAfter(1), comment: 'on leave' },
      { nodeId: 'a', actorId: 'u7', action: 'approved', at: minutesAfter(2) },
    ]);
  });

  it('a withdraw: every open task completed (cancelled), then approval.completed withdrawn', () => {
    const d = started(line(['a', ['u1']], ['b', ['u2', 'u3', 'u4']]));
    d.approve('u1');
    d.approve('u3');
    d.after(5).do('withdraw', 'init');
    const events = hooks(d);
    expect(summary(d).slice(-3)).toEqual([
      ['approval.task.completed', 'b.2:cancelled'],
      ['approval.task.completed', 'b.4:cancelled'],
      ['approval.completed', 'withdrawn'],
    ]);
    expect(events.slice(-3).map((e) => e.occurredAt)).toEqual([minutesAfter(5), minutesAfter(5), minutesAfter(5)]);
    expect(events.at(-1)!.trail).toEqual([
      { nodeId: 'a', actorId: 'u1', action: 'approved', at: T0 },
      { nodeId: 'b', actorId: 'u3', action: 'approved', at: T0 },
    ]);
    expect(events.filter((e) => e.type === 'approval.completed')).toHaveLength(1);
  });

  it('a reject: the rejected task, the cancelled others, then approval.completed rejected', () => {
    const d = started(line(['a', ['u1', 'u2']]));
    const t = d.reject('u2', { comment: 'no' });
    // One transition's events come out numbered in a row, in the order they are sent.
    expect(t.commands.flatMap((c) => (c.type === 'webhook' ? [seqOf(c.event)] : []))).toEqual([3, 4, 5]);
    expect(summary(d)).toEqual([
      ['approval.task.created', 'a.1:pending'],
      ['approval.task.created', 'a.2:pending'],
      ['approval.task.completed', 'a.1:cancelled'],
      ['approval.task.completed', 'a.2:rejected'],
      ['approval.completed', 'rejected'],
    ]);
    expect(hooks(d).at(-1)!.trail).toEqual([{ nodeId: 'a', actorId: 'u2', action: 'rejected', at: T0, comment: 'no' }]);
  });

  it('mode any: the tasks cancelled by the first approve are completed too', () => {
    const d = started(line(['a', ['u1', 'u2'], { mode: 'any' }], ['b', ['u3']]));
    d.approve('u2');
    expect(
      hooks(d)
        .slice(2)
        .map((e) => [e.type, e.task?.assigneeId, e.task?.status]),
    ).toEqual([
      ['approval.task.completed', 'u1', 'cancelled'],
      ['approval.task.completed', 'u2', 'approved'],
      ['approval.task.created', 'u3', 'pending'],
    ]);
  });

  it('a return: the returned task completed, the earlier node gets a new task', () => {
    const d = started();
    d.approve('u1');
    d.do('return', 'u2', { targetNodeId: 'a' });
    expect(summary(d).slice(3)).toEqual([
      ['approval.task.completed', 'b.2:returned'],
      ['approval.task.created', 'a.3:pending'],
    ]);
  });

  it('an auto-approved task (dedupe) is created and completed in one step', () => {
    const d = started(line(['a', ['u1']], ['b', ['u1', 'u2']]));
    d.approve('u1');
    expect(summary(d).slice(2)).toEqual([
      ['approval.task.created', 'b.2:auto_approved'],
      ['approval.task.completed', 'b.2:auto_approved'],
      ['approval.task.created', 'b.3:pending'],
    ]);
    d.approve('u2');
    expect(
      hooks(d)
        .at(-1)!
        .trail!.map((t) => [t.nodeId, t.actorId, t.action]),
    ).toEqual([
      ['a', 'u1', 'approved'],
      ['b', 'u1', 'auto_approved'],
      ['b', 'u2', 'approved'],
    ]);
  });

  it('signers added before: created while the owner waits; the owner is not completed yet', () => {
    const d = started(line(['a', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['u5'], position: 'before' });
    expect(summary(d).slice(1)).toEqual([['approval.task.created', 'a.2:pending']]);
    d.approve('u5');
    expect(summary(d).slice(2)).toEqual([['approval.task.completed', 'a.2:approved']]);
  });

  it('event ids are unique and numbered 1, 2, 3… across the whole life of the instance', () => {
    const d = started(line(['a', ['u1', 'u2'], { mode: 'any' }], ['b', ['u3']], ['c', ['u4']]));
    d.do('transfer', 'u1', { toUserId: 'u9' });
    d.approve('u9');
    d.do('return', 'u3', { targetNodeId: 'a' });
    d.approve('u2');
    d.approve('u3');
    d.reject('u4');
    const events = hooks(d);
    expect(events.length).toBeGreaterThan(10);
    expect(events.map(seqOf)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(events.every((e) => e.eventId === `${ID}:${seqOf(e)}:${e.type}`)).toBe(true);
    expect(d.state.nextWebhookSeq).toBe(events.length + 1);
    expect(events.filter((e) => e.type === 'approval.completed').map((e) => e.instance.status)).toEqual(['rejected']);
  });

  it('the trail lists decided tasks in completion order, not task order', () => {
    const d = started(
      flow([
        start('fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 'b'] },
        approval('a', ['ua'], 'join'),
        approval('b', ['ub'], 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
    );
    d.after(1).approve('ub');
    d.after(1).approve('ua');
    expect(
      hooks(d)
        .at(-1)!
        .trail!.map((t) => [t.actorId, t.at]),
    ).toEqual([
      ['ub', minutesAfter(1)],
      ['ua', minutesAfter(2)],
    ]);
  });

  // KNOWN BUG (reported, not fixed here): the trail sorts by `completedAt` only, so decisions
  // taken at the same instant (same workflow time) come out in task order, not completion order.
  it.failing('the trail keeps completion order when decisions share a timestamp', () => {
    const d = started(
      flow([
        start('fork'),
        { id: 'fork', type: 'parallel', branches: ['a', 'b'] },
        approval('a', ['ua'], 'join'),
        approval('b', ['ub'], 'join'),
        { id: 'join', type: 'join', next: 'end' },
        end,
      ]),
    );
    d.approve('ub');
    d.approve('ua');
    expect(
      hooks(d)
        .at(-1)!
        .trail!.map((t) => t.actorId),
    ).toEqual(['ub', 'ua']);
  });

  it('an instance approved at start announces approval.completed with an empty trail', () => {
    const input: StartInstanceInput = {
      instanceId: ID,
      flowCode: 'test_flow',
      flowVersion: 1,
      definition: flow([start('end'), end]),
      businessKey: 'BK-1',
      initiatorId: 'init',
      form,
      appKey: 'erp',
      ...on,
    };
    const { commands } = startInstance(input, T0);
    expect(commands).toEqual([
      {
        type: 'webhook',
        event: {
          eventId: `${ID}:1:approval.completed`,
          type: 'approval.completed',
          occurredAt: T0,
          instance: { instanceId: ID, flowCode: 'test_flow', flowVersion: 1, businessKey: 'BK-1', status: 'approved', source, form },
          trail: [],
        },
      },
    ]);
  });

  it('a transition that changes nothing announces nothing', () => {
    const d = started();
    const count = hooks(d).length;
    d.do('comment', 'u1', { comment: 'looking' });
    d.do('urge', 'init');
    expect(hooks(d)).toHaveLength(count);
    expect(webhookEventsBetween(d.state, JSON.parse(JSON.stringify(d.state)) as typeof d.state, T0)).toEqual([]);
  });

  describe('with a saga', () => {
    const service: FlowNode = {
      id: 'reserve',
      type: 'service',
      call: { system: 'erp', operation: 'reserve' },
      compensate: { system: 'erp', operation: 'release' },
      next: 'b',
    };
    const sagaFlow = flow([start('a'), approval('a', ['u1'], 'reserve'), service, approval('b', ['u2'], 'end'), end]);
    const holdCompensations: NonNullable<DriverOptions['erp']> = (c) => (c.type === 'compensate' ? 'hold' : OK);

    it('approval.completed waits for the compensations and carries the final status', () => {
      const d = started(sagaFlow, { erp: holdCompensations });
      d.approve('u1');
      d.after(1).reject('u2');
      expect(d.status).toBe('compensating');
      expect(summary(d).slice(-1)).toEqual([['approval.task.completed', 'b.2:rejected']]);
      expect(hooks(d).at(-1)!.instance.status).toBe('compensating');
      expect(hooks(d).filter((e) => e.type === 'approval.completed')).toEqual([]);
      d.after(1).answerCallOf(OK, 'reserve');
      const done = hooks(d).at(-1)!;
      expect(done).toMatchObject({ type: 'approval.completed', occurredAt: minutesAfter(2), instance: { status: 'rejected' } });
      expect(done.trail!.map((t) => [t.actorId, t.action])).toEqual([
        ['u1', 'approved'],
        ['u2', 'rejected'],
      ]);
      expect(hooks(d).filter((e) => e.type === 'approval.completed')).toHaveLength(1);
    });

    it('compensation_failed is announced; a successful retry announces the final status', () => {
      const d = started(sagaFlow, { erp: holdCompensations });
      d.approve('u1');
      d.do('withdraw', 'init');
      d.answerCallOf({ ok: false, error: 'down' }, 'reserve');
      expect(d.status).toBe('compensation_failed');
      expect(summary(d).slice(-2)).toEqual([
        ['approval.task.completed', 'b.2:cancelled'],
        ['approval.completed', 'compensation_failed'],
      ]);
      const retried = retryFailedCompensations(d.state, 'ops', d.now);
      expect(retried.commands.filter((c) => c.type === 'webhook')).toEqual([]);
      d.state = retried.state;
      const compensate = retried.commands.find((c) => c.type === 'compensate');
      expect(compensate).toBeDefined();
      if (compensate?.type !== 'compensate') return;
      d.heldCalls.push(compensate);
      d.answerCallOf(OK, 'reserve');
      expect(d.status).toBe('withdrawn');
      const completed = hooks(d).filter((e) => e.type === 'approval.completed');
      expect(completed.map((e) => [seqOf(e), e.instance.status])).toEqual([
        [5, 'compensation_failed'],
        [6, 'withdrawn'],
      ]);
    });

    it('a failed service call announces the open tasks cancelled and approval.completed failed', () => {
      const d = started(
        flow([
          start('fork'),
          { id: 'fork', type: 'parallel', branches: ['a', 's'] },
          approval('a', ['u1'], 'join'),
          { ...service, id: 's', next: 'join' },
          { id: 'join', type: 'join', next: 'end' },
          end,
        ]),
        { erp: (c) => (c.type === 'service' ? 'hold' : OK) },
      );
      d.answerCallOf({ ok: false, error: 'no', status: 400 }, 's');
      expect(d.status).toBe('failed');
      expect(summary(d)).toEqual([
        ['approval.task.created', 'a.1:pending'],
        ['approval.task.completed', 'a.1:cancelled'],
        ['approval.completed', 'failed'],
      ]);
      expect(hooks(d).at(-1)!.trail).toEqual([]);
    });

    it('service answers and write-back answers alone announce nothing', () => {
      const d = started(sagaFlow, { erp: (c) => (c.type === 'service' ? 'hold' : OK), input: { writeBack: true } });
      d.approve('u1');
      const count = hooks(d).length;
      d.answerCallOf(OK, 'reserve');
      expect(summary(d).slice(count)).toEqual([['approval.task.created', 'b.2:pending']]);
      d.approve('u2');
      expect(d.status).toBe('approved');
      expect(d.events('written_back')).toHaveLength(1);
      expect(hooks(d).filter((e) => e.type === 'approval.completed')).toHaveLength(1);
    });
  });
});
