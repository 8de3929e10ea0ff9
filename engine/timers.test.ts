import type { ApprovalTimeout } from './dsl';
import { nextDeadline, timersDue } from './instance';
import { Driver, T0, hoursAfter, line, minutesAfter } from '../test/support/engine-driver';

const withTimeout = (timeout: ApprovalTimeout, ids = ['u1'], extra = {}) => line(['n', ids, { timeout, ...extra }], ['m', ['u9']]);

describe('reminders', () => {
  it('remindAfter arms each new task and the deadline', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT24H' }, ['u1', 'u2']));
    expect(d.task('u1').remindAt).toBe(hoursAfter(24));
    expect(d.task('u1').actAt).toBeUndefined();
    expect(nextDeadline(d.state)).toBe(hoursAfter(24));
  });

  it('nothing fires before the deadline', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT24H' }));
    const { state, commands } = timersDue(d.state, hoursAfter(23));
    expect(commands).toEqual([]);
    expect(state).toEqual(d.state);
  });

  it('a due reminder is a notify command of kind reminder, once', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT24H' }, ['u1', 'u2']));
    const { commands } = d.timers(hoursAfter(24));
    expect(commands).toEqual([
      {
        type: 'notify',
        notification: {
          key: 'approval:test_flow:BK-1:reminder:1',
          kind: 'reminder',
          recipients: ['u1', 'u2'],
          taskIds: ['n.1', 'n.2'],
          title: expect.stringContaining('BK-1'),
        },
      },
    ]);
    expect(d.events('reminded')).toEqual([expect.objectContaining({ data: { taskIds: ['n.1', 'n.2'] } })]);
    expect(d.task('u1').remindAt).toBeUndefined();
    expect(nextDeadline(d.state)).toBeUndefined();
    expect(d.timers(hoursAfter(100)).commands).toEqual([]);
  });

  it('remindEvery re-arms the reminder, skipping the ones missed', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT24H', remindEvery: 'PT12H' }));
    d.timers(hoursAfter(24));
    expect(d.task('u1').remindAt).toBe(hoursAfter(36));
    d.timers(hoursAfter(36));
    expect(d.task('u1').remindAt).toBe(hoursAfter(48));
    // the workflow woke up late: one reminder, next one in the future
    d.timers(hoursAfter(75));
    expect(d.task('u1').remindAt).toBe(hoursAfter(84));
    expect(d.notifications('reminder')).toHaveLength(3);
    expect(new Set(d.notifications('reminder').map((n) => n.key)).size).toBe(3);
  });

  it('stops when the task closes', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT1H', remindEvery: 'PT1H' }));
    d.approve('u1');
    expect(d.task('u1', 'n').remindAt).toBeUndefined();
    expect(d.timers(hoursAfter(5)).commands).toEqual([]);
  });

  it('each sequential turn starts its own clock', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'sequential', timeout: { remindAfter: 'PT2H' } }]));
    d.at(hoursAfter(1)).approve('u1');
    expect(d.task('u2').remindAt).toBe(hoursAfter(3));
  });

  it('a transferred task starts its own clock', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT2H', actAfter: 'PT4H', action: 'reject' }));
    d.at(hoursAfter(1)).do('transfer', 'u1', { toUserId: 'u5' });
    expect(d.task('u5')).toMatchObject({ remindAt: hoursAfter(3), actAt: hoursAfter(5) });
    expect(d.task('u1').remindAt).toBeUndefined();
    expect(d.task('u1').actAt).toBeUndefined();
  });

  it('waiting tasks are never reminded, and do not count for the deadline', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT2H' }));
    d.at(hoursAfter(1)).do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    expect(nextDeadline(d.state)).toBe(hoursAfter(3));
    d.timers(hoursAfter(3));
    expect(d.notifications('reminder')).toEqual([expect.objectContaining({ recipients: ['s1'] })]);
  });
});

describe('actAfter', () => {
  it('approve: the task is auto-approved for timeout and the node moves on', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT1H', actAfter: 'PT3H', action: 'approve' }));
    expect(d.task('u1').actAt).toBe(hoursAfter(3));
    expect(nextDeadline(d.state)).toBe(hoursAfter(1));
    d.timers(hoursAfter(1));
    expect(nextDeadline(d.state)).toBe(hoursAfter(3));
    d.timers(hoursAfter(3));
    expect(d.task('u1', 'n')).toMatchObject({ status: 'auto_approved', reason: 'timeout', completedAt: hoursAfter(3) });
    expect(d.events('timed_out')).toEqual([expect.objectContaining({ taskId: 'n.1', data: { action: 'approve' } })]);
    expect(d.nodes()).toEqual(['m']);
  });

  it('approve in mode all waits for the others', () => {
    const d = Driver.start(withTimeout({ actAfter: 'PT3H', action: 'approve' }, ['u1', 'u2']));
    d.at(hoursAfter(1)).approve('u2');
    d.timers(hoursAfter(3));
    expect(d.nodes()).toEqual(['m']);
  });

  it('reject: the task is rejected for timeout and the instance with it', () => {
    const d = Driver.start(withTimeout({ actAfter: 'PT3H', action: 'reject' }, ['u1', 'u2']));
    // u2's task moves to u3 after an hour, so its clock runs an hour later
    d.at(hoursAfter(1)).do('transfer', 'u2', { toUserId: 'u3' });
    d.timers(hoursAfter(3));
    expect(d.status).toBe('rejected');
    expect(d.task('u1')).toMatchObject({ status: 'rejected', reason: 'timeout' });
    expect(d.task('u3')).toMatchObject({ status: 'cancelled', reason: 'instance_rejected' });
  });

  it('a remind and an act due together both happen', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT1H', actAfter: 'PT2H', action: 'approve' }));
    d.timers(hoursAfter(5));
    expect(d.notifications('reminder')).toHaveLength(1);
    expect(d.task('u1', 'n').status).toBe('auto_approved');
  });

  describe('escalate', () => {
    const definition = withTimeout({ remindAfter: 'PT1H', actAfter: 'PT3H', action: 'escalate' }, ['u1', 'u2']);

    it('asks for the assignee’s manager (a resolve with purpose escalate)', () => {
      const d = Driver.start(definition, { hold: (p) => p.kind === 'escalate' });
      const { commands } = d.timers(hoursAfter(3));
      const resolves = commands.filter((c) => c.type === 'resolve');
      expect(resolves).toEqual([
        {
          type: 'resolve',
          purpose: { kind: 'escalate', taskId: 'n.1', fallbackToAdmins: true },
          request: expect.objectContaining({ source: { type: 'manager', levels: 1 }, subjectId: 'u1', initiatorId: 'init', applyDelegation: true }),
        },
        {
          type: 'resolve',
          purpose: { kind: 'escalate', taskId: 'n.2', fallbackToAdmins: true },
          request: expect.objectContaining({ source: { type: 'manager', levels: 1 }, subjectId: 'u2' }),
        },
      ]);
      // the task stays with its assignee until the answer, without a second timeout
      expect(d.task('u1')).toMatchObject({ status: 'pending' });
      expect(d.task('u1').actAt).toBeUndefined();
      expect(d.events('timed_out').map((e) => e.data.action)).toEqual(['escalate', 'escalate']);
    });

    it('answered: the task is transferred (escalated) and the manager gets a new task without a timeout', () => {
      const d = Driver.start(definition, { directory: { 'manager:u1': ['boss1'], 'manager:u2': ['boss2'] } });
      d.timers(hoursAfter(3));
      const old = d.task('u1');
      expect(old).toMatchObject({ status: 'transferred', reason: 'escalated', completedAt: hoursAfter(3) });
      const escalated = d.task('boss1');
      expect(escalated).toMatchObject({ status: 'pending', seat: old.seat, transferredFrom: old.taskId, remindAt: hoursAfter(4) });
      expect(escalated.actAt).toBeUndefined();
      expect(d.events('escalated')).toEqual(expect.arrayContaining([expect.objectContaining({ taskId: old.taskId, data: { from: 'u1', to: 'boss1' } })]));
      expect(d.notifications('escalated').map((n) => n.recipients)).toEqual([['boss1'], ['boss2']]);
      expect(d.assignees()).toEqual(['boss1', 'boss2']);
      d.approve('boss1');
      d.approve('boss2');
      expect(d.nodes()).toEqual(['m']);
    });

    // Suspected engine bug: see the report. The escalation notice names the old (transferred)
    // task, so the outbox row for the manager points at a task they cannot act on.
    it('the escalation notice names the task the recipient now holds', () => {
      const d = Driver.start(definition, { directory: { 'manager:u1': ['boss1'], 'manager:u2': ['boss2'] } });
      d.timers(hoursAfter(3));
      expect(d.notifications('escalated')[0]).toMatchObject({ recipients: ['boss1'], taskIds: [d.task('boss1').taskId] });
    });

    // Suspected engine bug: see the report. A transfer to someone with an open task on the node
    // is refused (ALREADY_ASSIGNEE); an escalation to them gives them a second open task.
    it('an escalation never leaves one person with two open tasks on the node', () => {
      const d = Driver.start(withTimeout({ actAfter: 'PT1H', action: 'escalate' }, ['u1', 'boss']), { directory: { 'manager:u1': ['boss'] } });
      d.timers(hoursAfter(1));
      expect(d.tasks('n').filter((t) => t.assigneeId === 'boss' && t.status === 'pending')).toHaveLength(1);
    });

    it('an empty answer falls back to the admins', () => {
      const d = Driver.start({ ...withTimeout({ actAfter: 'PT3H', action: 'escalate' }), admins: ['adm'] });
      d.timers(hoursAfter(3));
      expect(d.resolves('escalate').map((c) => [c.purpose, c.request.source])).toEqual([
        [
          { kind: 'escalate', taskId: 'n.1', fallbackToAdmins: true },
          { type: 'manager', levels: 1 },
        ],
        [
          { kind: 'escalate', taskId: 'n.1', fallbackToAdmins: false },
          { type: 'admins', ids: ['adm'] },
        ],
      ]);
      expect(d.task('adm')).toMatchObject({ status: 'pending', transferredFrom: 'n.1' });
      expect(d.task('u1')).toMatchObject({ status: 'transferred', reason: 'escalated' });
    });

    it('nobody to escalate to: the task stays, its reminder re-armed, no second timeout', () => {
      const d = Driver.start(withTimeout({ remindAfter: 'PT1H', actAfter: 'PT3H', action: 'escalate' }), { directory: { 'manager:u1': ['u1'] } });
      d.timers(hoursAfter(3));
      expect(d.task('u1')).toMatchObject({ status: 'pending', remindAt: hoursAfter(4) });
      expect(d.task('u1').actAt).toBeUndefined();
      expect(d.events('escalation_failed')).toEqual([expect.objectContaining({ taskId: 'n.1' })]);
      expect(d.tasks()).toHaveLength(1);
    });

    it('an answer after the task was acted on is ignored', () => {
      const d = Driver.start(definition, { hold: (p) => p.kind === 'escalate' });
      d.timers(hoursAfter(3));
      d.approve('u1');
      const before = d.state;
      d.answer(['boss1'], 'escalate');
      expect(d.state).toEqual(before);
    });
  });

  it('to_admin: the task goes to the flow admins', () => {
    const d = Driver.start({ ...withTimeout({ actAfter: 'PT3H', action: 'to_admin' }), admins: ['adm'] });
    d.timers(hoursAfter(3));
    expect(d.resolves('escalate')).toEqual([
      expect.objectContaining({
        purpose: { kind: 'escalate', taskId: 'n.1', fallbackToAdmins: false },
        request: expect.objectContaining({ source: { type: 'admins', ids: ['adm'] } }),
      }),
    ]);
    expect(d.task('adm')).toMatchObject({ status: 'pending', transferredFrom: 'n.1' });
    expect(d.task('adm').actAt).toBeUndefined();
  });

  it('to_admin with no admin found leaves the task with its assignee', () => {
    const d = Driver.start(withTimeout({ actAfter: 'PT3H', action: 'to_admin' }));
    d.timers(hoursAfter(3));
    expect(d.task('u1').status).toBe('pending');
    expect(d.events('escalation_failed')).toHaveLength(1);
    expect(nextDeadline(d.state)).toBeUndefined();
  });
});

describe('nextDeadline', () => {
  it('is the earliest remindAt or actAt of a pending task', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT5H', actAfter: 'PT2H', action: 'approve' }, ['u1', 'u2']));
    expect(nextDeadline(d.state)).toBe(hoursAfter(2));
    d.at(minutesAfter(30)).do('transfer', 'u1', { toUserId: 'u3' });
    expect(nextDeadline(d.state)).toBe(hoursAfter(2));
    d.approve('u2');
    expect(nextDeadline(d.state)).toBe(minutesAfter(150));
  });

  it('is undefined without timeouts, and once the instance ended', () => {
    expect(nextDeadline(Driver.start(line(['n', ['u1']])).state)).toBeUndefined();
    const d = Driver.start(withTimeout({ remindAfter: 'PT1H' }));
    d.do('withdraw', 'init');
    expect(nextDeadline(d.state)).toBeUndefined();
  });

  it('starts at the time the task became pending', () => {
    const d = Driver.start(withTimeout({ remindAfter: 'PT1H' }), { now: minutesAfter(7) });
    expect(d.state.createdAt).toBe(minutesAfter(7));
    expect(nextDeadline(d.state)).toBe(minutesAfter(67));
    expect(T0 < nextDeadline(d.state)!).toBe(true);
  });
});
