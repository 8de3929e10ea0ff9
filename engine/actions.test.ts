import type { FlowDefinition } from './dsl';
import { MAX_SIGNERS_PER_ACTION } from './limits';
import { ACTION_REFUSAL_CODES } from './refusals';
import { act, checkAction, type ActionType, type RefusalCode } from './instance';
import { Driver, T0, approval, flow, hoursAfter, line, minutesAfter, type ActionFields } from '../test/support/engine-driver';

const seen = new Set<RefusalCode>();

/** The action is refused with `code` by checkAction, and `act` throws without touching the state. */
function expectRefused(d: Driver, code: RefusalCode, type: ActionType, actorId: string, extra: ActionFields = {}): void {
  const action = d.request(type, actorId, extra);
  const check = checkAction(d.state, action, d.now);
  expect(check).toEqual({ ok: false, refusal: { code, message: expect.any(String) } });
  seen.add(code);
  const before = JSON.stringify(d.state);
  expect(() => act(d.state, action, d.now)).toThrow(new RegExp(code));
  expect(JSON.stringify(d.state)).toBe(before);
}

afterAll(() => {
  // every refusal code of an action is exercised somewhere in this file
  expect(ACTION_REFUSAL_CODES.filter((code) => !seen.has(code))).toEqual([]);
});

describe('approve / reject', () => {
  const definition = line(['n', ['u1', 'u2']], ['m', ['u3']]);

  it('approve closes the task with its comment and records the action', () => {
    const d = Driver.start(definition);
    d.after(3).approve('u1', { comment: 'fine', taskId: 'n.1' });
    expect(d.task('u1')).toMatchObject({ status: 'approved', comment: 'fine', completedAt: minutesAfter(3) });
    expect(d.events('approved')).toEqual([
      expect.objectContaining({ actorId: 'u1', taskId: 'n.1', nodeId: 'n', at: minutesAfter(3), data: { actionId: 'act-1', comment: 'fine' } }),
    ]);
  });

  it('refuses an unknown task, a task of someone else, a stranger, a closed task and a finished instance', () => {
    const d = Driver.start(definition);
    expectRefused(d, 'TASK_NOT_FOUND', 'approve', 'u1', { taskId: 'n.99' });
    expectRefused(d, 'NOT_ASSIGNEE', 'approve', 'u1', { taskId: 'n.2' });
    expectRefused(d, 'NOT_ASSIGNEE', 'reject', 'stranger');
    d.approve('u1');
    expectRefused(d, 'TASK_NOT_PENDING', 'approve', 'u1');
    expectRefused(d, 'TASK_NOT_PENDING', 'reject', 'u1', { taskId: 'n.1' });
    d.reject('u2');
    expect(d.status).toBe('rejected');
    expectRefused(d, 'INSTANCE_NOT_RUNNING', 'approve', 'u2');
  });

  it('without a taskId, acts on the actor’s pending task', () => {
    const d = Driver.start(definition);
    d.approve('u2');
    expect(d.task('u2').status).toBe('approved');
    expect(d.task('u1').status).toBe('pending');
  });
});

describe('transfer (转交)', () => {
  it('closes the task as transferred and gives the target a pending task on the same seat', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.after(2).do('transfer', 'u1', { toUserId: 'u3', comment: 'on leave' });
    const old = d.task('u1');
    expect(old).toMatchObject({ status: 'transferred', comment: 'on leave', completedAt: minutesAfter(2) });
    expect(old.reason).toBeUndefined();
    expect(d.task('u3')).toMatchObject({ status: 'pending', seat: old.seat, transferredFrom: old.taskId, createdAt: minutesAfter(2) });
    expect(d.events('transferred')).toEqual([
      expect.objectContaining({ actorId: 'u1', taskId: old.taskId, data: expect.objectContaining({ toUserId: 'u3' }) }),
    ]);
    expectRefused(d, 'TASK_NOT_PENDING', 'approve', 'u1');
    // the seat is kept: two approvals complete the node, not three
    d.approve('u3');
    d.approve('u2');
    expect(d.status).toBe('approved');
  });

  it('keeps the turn in sequential mode', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'sequential' }]));
    d.do('transfer', 'u1', { toUserId: 'u9' });
    expect(d.assignees()).toEqual(['u9']);
    d.approve('u9');
    expect(d.assignees()).toEqual(['u2']);
  });

  it('keeps the vote count in vote mode', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'vote', passRatio: 1 }]));
    d.do('transfer', 'u1', { toUserId: 'u9' });
    d.approve('u9');
    expect(d.status).toBe('running');
    d.approve('u2');
    expect(d.status).toBe('approved');
  });

  it('goes to the delegate the API resolved', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('transfer', 'u1', { toUserId: 'u3', targets: [{ userId: 'd3', delegatedFrom: 'u3' }] });
    expect(d.task('d3')).toMatchObject({ status: 'pending', delegatedFrom: 'u3' });
  });

  it('refuses oneself (also through a delegation) and someone with an open task on the node', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    expectRefused(d, 'TRANSFER_TO_SELF', 'transfer', 'u1', { toUserId: 'u1' });
    expectRefused(d, 'TRANSFER_TO_SELF', 'transfer', 'u1', { toUserId: 'u5', targets: [{ userId: 'u1', delegatedFrom: 'u5' }] });
    expectRefused(d, 'ALREADY_ASSIGNEE', 'transfer', 'u1', { toUserId: 'u2' });
    expectRefused(d, 'NOT_ASSIGNEE', 'transfer', 'u9', { toUserId: 'u3' });
  });

  it('may go to someone who already closed their task on the node', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.approve('u2');
    expect(d.check('transfer', 'u1', { toUserId: 'u2' })).toBeNull();
  });
});

describe('add_signer (加签)', () => {
  it('before: the owner waits while the signers act, then is pending again', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { timeout: { remindAfter: 'PT1H' } }], ['m', ['u9']]));
    const owner = d.task('u1');
    d.after(5).do('add_signer', 'u1', { signers: ['s1', 's2'], position: 'before' });
    expect(d.task('u1')).toMatchObject({ status: 'waiting' });
    expect(d.task('u1').remindAt).toBeUndefined();
    expect(d.task('s1')).toMatchObject({ status: 'pending', seat: owner.seat, signer: { position: 'before', addedByTaskId: owner.taskId, addedBy: 'u1' } });
    expect(d.task('s1').remindAt).toBe(hoursAfter(1, minutesAfter(5)));
    expect(d.events('signers_added')).toEqual([
      expect.objectContaining({ actorId: 'u1', data: expect.objectContaining({ position: 'before', signers: ['s1', 's2'] }) }),
    ]);
    expectRefused(d, 'TASK_NOT_PENDING', 'approve', 'u1');
    d.approve('u2');
    d.approve('s1');
    expect(d.task('u1').status).toBe('waiting');
    d.after(5).approve('s2');
    expect(d.task('u1').status).toBe('pending');
    expect(d.task('u1').remindAt).toBe(hoursAfter(1, minutesAfter(10)));
    expect(d.events('task_reactivated')).toEqual([expect.objectContaining({ taskId: owner.taskId })]);
    expect(d.nodes()).toEqual(['n']);
    d.approve('u1');
    expect(d.nodes()).toEqual(['m']);
  });

  it('before: a signer’s reject rejects the node (mode all)', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    d.reject('s1');
    expect(d.status).toBe('rejected');
  });

  it('after: the signers wait until the owner approves; the node completes only after them', () => {
    const d = Driver.start(line(['n', ['u1'], { mode: 'any' }], ['m', ['u9']]));
    const owner = d.task('u1');
    d.do('add_signer', 'u1', { signers: ['s1', 's2'], position: 'after' });
    expect(d.statuses('n')).toEqual([
      ['u1', 'pending'],
      ['s1', 'waiting'],
      ['s2', 'waiting'],
    ]);
    expectRefused(d, 'TASK_NOT_PENDING', 'approve', 's1');
    d.approve('u1');
    expect(d.task('s1')).toMatchObject({ status: 'pending', seat: owner.seat });
    expect(d.nodes()).toEqual(['n']);
    d.approve('s1');
    expect(d.nodes()).toEqual(['n']);
    d.approve('s2');
    expect(d.nodes()).toEqual(['m']);
  });

  it('after: a signer’s reject rejects the node', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'after' });
    d.approve('u1');
    d.reject('s1');
    expect(d.status).toBe('rejected');
  });

  it('parallel: the signers join the node as extra assignees, each with a seat of their own', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'parallel' });
    expect(d.task('s1')).toMatchObject({ status: 'pending', seat: 2, signer: { position: 'parallel' } });
    expect(d.task('u1').status).toBe('pending');
    d.approve('u1');
    d.approve('u2');
    expect(d.status).toBe('running');
    d.approve('s1');
    expect(d.status).toBe('approved');
  });

  it('parallel: the extra seats count in a vote', () => {
    // passRatio 0.5 of 2 needs 1; with two parallel signers, of 4 it needs 2
    const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'vote', passRatio: 0.5 }]));
    d.do('add_signer', 'u1', { signers: ['s1', 's2'], position: 'parallel' });
    d.approve('s1');
    expect(d.status).toBe('running');
    d.approve('s2');
    expect(d.status).toBe('approved');
  });

  it('parallel: in mode any, an extra assignee’s approval completes the node', () => {
    const d = Driver.start(line(['n', ['u1'], { mode: 'any' }]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'parallel' });
    d.approve('s1');
    expect(d.status).toBe('approved');
    expect(d.task('u1')).toMatchObject({ status: 'cancelled', reason: 'node_completed' });
  });

  it('a before-signer may add before-signers of their own: each waits for the ones it added', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    d.do('add_signer', 's1', { signers: ['s2'], position: 'before' });
    expect(d.statuses()).toEqual([
      ['u1', 'waiting'],
      ['s1', 'waiting'],
      ['s2', 'pending'],
    ]);
    d.approve('s2');
    expect(d.task('s1').status).toBe('pending');
    expect(d.task('u1').status).toBe('waiting');
    d.approve('s1');
    d.approve('u1');
    expect(d.status).toBe('approved');
  });

  // Suspected engine bug: see the report. releaseGates checks an after-signer's own "after" gate
  // only, so an after-signer who adds before-signers is released again at once.
  it('an after-signer who adds before-signers waits for them', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'after' });
    d.approve('u1');
    d.do('add_signer', 's1', { signers: ['b1'], position: 'before' });
    expect(d.statuses()).toEqual([
      ['u1', 'approved'],
      ['s1', 'waiting'],
      ['b1', 'pending'],
    ]);
  });

  it('follows the delegations the API resolved', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'parallel', targets: [{ userId: 'ds1', delegatedFrom: 's1' }] });
    expect(d.task('ds1')).toMatchObject({ delegatedFrom: 's1', status: 'pending' });
  });

  it('refuses no signer, oneself, a signer listed twice and someone with an open task on the node', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    expectRefused(d, 'INVALID_SIGNERS', 'add_signer', 'u1', { signers: [], position: 'before' });
    expectRefused(d, 'INVALID_SIGNERS', 'add_signer', 'u1', { signers: ['u1'], position: 'after' });
    expectRefused(d, 'INVALID_SIGNERS', 'add_signer', 'u1', { signers: ['s1'], targets: [{ userId: 'u1', delegatedFrom: 's1' }], position: 'after' });
    expectRefused(d, 'INVALID_SIGNERS', 'add_signer', 'u1', { signers: ['s1', 's1'], position: 'parallel' });
    expectRefused(d, 'ALREADY_ASSIGNEE', 'add_signer', 'u1', { signers: ['s1', 'u2'], position: 'parallel' });
    expectRefused(d, 'NOT_ASSIGNEE', 'add_signer', 'zz', { signers: ['s1'], position: 'parallel' });
  });

  it('refuses more signers than one action may name (the API’s schema holds the same bound)', () => {
    const d = Driver.start(line(['n', ['u1']]));
    const signers = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
    expectRefused(d, 'INVALID_SIGNERS', 'add_signer', 'u1', { signers: signers(MAX_SIGNERS_PER_ACTION + 1), position: 'parallel' });
    expect(checkAction(d.state, d.request('add_signer', 'u1', { signers: signers(MAX_SIGNERS_PER_ACTION + 1), position: 'parallel' }), d.now)).toMatchObject({
      refusal: { message: '21 signers named; at most 20 per action' },
    });
    d.do('add_signer', 'u1', { signers: signers(MAX_SIGNERS_PER_ACTION), position: 'parallel' });
    expect(d.statuses()).toHaveLength(MAX_SIGNERS_PER_ACTION + 1);
    expectRefused(d, 'INVALID_SIGNERS', 'remove_signer', 'u1', { signers: [...signers(MAX_SIGNERS_PER_ACTION), 'sx'] });
  });
});

describe('remove_signer (减签)', () => {
  it('removes before-signers who have not acted; the owner is pending again', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1', 's2'], position: 'before' });
    d.approve('s1');
    d.do('remove_signer', 'u1');
    expect(d.task('s1').status).toBe('approved');
    expect(d.task('s2')).toMatchObject({ status: 'cancelled', reason: 'removed' });
    expect(d.task('u1').status).toBe('pending');
    expect(d.events('signers_removed')).toEqual([expect.objectContaining({ actorId: 'u1', data: expect.objectContaining({ signers: ['s2'] }) })]);
  });

  it('removes only the signers named', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1', 's2', 's3'], position: 'parallel' });
    d.do('remove_signer', 'u1', { signers: ['s1', 's3'] });
    expect(d.statuses()).toEqual([
      ['u1', 'pending'],
      ['s1', 'cancelled'],
      ['s2', 'pending'],
      ['s3', 'cancelled'],
    ]);
  });

  it('a removed parallel seat no longer counts', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'parallel' });
    d.approve('u1');
    expect(d.status).toBe('running');
    d.do('remove_signer', 'u1');
    expect(d.status).toBe('approved');
  });

  it('after-signers removed: the owner’s approval completes the node alone', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'after' });
    d.do('remove_signer', 'u1', { signers: ['s1'] });
    d.approve('u1');
    expect(d.status).toBe('approved');
  });

  it('refuses when nothing is left to remove, and signers not added by the actor or already acted', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    expectRefused(d, 'NOTHING_TO_REMOVE', 'remove_signer', 'u1');
    d.do('add_signer', 'u1', { signers: ['s1', 's2'], position: 'parallel' });
    expectRefused(d, 'NOTHING_TO_REMOVE', 'remove_signer', 'u2');
    expectRefused(d, 'INVALID_SIGNERS', 'remove_signer', 'u1', { signers: ['u2'] });
    d.approve('s1');
    expectRefused(d, 'INVALID_SIGNERS', 'remove_signer', 'u1', { signers: ['s1'] });
    d.approve('s2');
    expectRefused(d, 'NOTHING_TO_REMOVE', 'remove_signer', 'u1');
  });
});

describe('return (退回) to an earlier node', () => {
  // a(u1) → b(u2) → c(u2, u3): at c, u2 is auto-approved by dedupe
  const definition = line(['a', ['u1']], ['b', ['u2']], ['c', ['u2', 'u3']]);

  it('re-enters the target with new tasks and undoes the runs completed after it', () => {
    const d = Driver.start(definition);
    d.approve('u1');
    d.approve('u2');
    expect(d.task('u2', 'c')).toMatchObject({ status: 'auto_approved', reason: 'dedupe' });
    const aRun = d.state.completedRuns.find((r) => r.nodeId === 'a')!;
    d.after(1).do('return', 'u3', { targetNodeId: 'a', comment: 'wrong supplier' });
    expect(d.task('u3', 'c')).toMatchObject({ status: 'returned', comment: 'wrong supplier' });
    expect(d.events('returned')).toEqual([
      expect.objectContaining({ actorId: 'u3', nodeId: 'c', data: expect.objectContaining({ targetNodeId: 'a', comment: 'wrong supplier' }) }),
    ]);
    expect(d.nodes()).toEqual(['a']);
    expect(d.state.completedRuns).toEqual([]);
    const newRun = d.state.runs[0]!;
    expect(newRun.runId).not.toBe(aRun.runId);
    // the earlier approval by u1 was undone too: a new pending task
    expect(d.statuses('a')).toEqual([
      ['u1', 'approved'],
      ['u1', 'pending'],
    ]);
    expect(d.task('u1', 'a').runId).toBe(newRun.runId);
    d.approve('u1');
    // dedupe no longer counts the undone approval of u2 at b
    expect(d.task('u2', 'b').status).toBe('pending');
    d.approve('u2');
    expect(d.task('u2', 'c')).toMatchObject({ status: 'auto_approved', reason: 'dedupe' });
    d.approve('u3');
    expect(d.status).toBe('approved');
  });

  it('to the node just before keeps the runs before that', () => {
    const d = Driver.start(definition);
    d.approve('u1');
    d.approve('u2');
    d.do('return', 'u3', { targetNodeId: 'b' });
    expect(d.nodes()).toEqual(['b']);
    expect(d.state.completedRuns.map((r) => r.nodeId)).toEqual(['a']);
    expect(d.task('u2', 'b').status).toBe('pending');
  });

  it('closes every other open task of the node as returned', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u2', 'u3', 'u4']]));
    d.approve('u1');
    d.approve('u4');
    d.do('return', 'u2', { targetNodeId: 'a' });
    expect(d.statuses('b')).toEqual([
      ['u2', 'returned'],
      ['u3', 'returned'],
      ['u4', 'approved'],
    ]);
    expect(d.task('u3', 'b').reason).toBe('returned');
  });

  it('refuses a missing, unknown, later, current, non-approval or not-yet-completed target', () => {
    const def = flow([
      { id: 'start', type: 'start', next: 'a' },
      approval('a', ['u1'], 'n'),
      { id: 'n', type: 'cc', recipients: { type: 'users', ids: ['x'] }, next: 'b' },
      approval('b', ['u2'], 'c'),
      approval('c', ['u3'], 'end'),
      { id: 'end', type: 'end' },
    ]);
    const d = Driver.start(def);
    expectRefused(d, 'INVALID_TARGET_NODE', 'return', 'u1', { targetNodeId: 'a' });
    d.approve('u1');
    expectRefused(d, 'INVALID_TARGET_NODE', 'return', 'u2', { targetNodeId: 'ghost' });
    expectRefused(d, 'INVALID_TARGET_NODE', 'return', 'u2', { targetNodeId: 'c' });
    expectRefused(d, 'INVALID_TARGET_NODE', 'return', 'u2', { targetNodeId: 'b' });
    expectRefused(d, 'INVALID_TARGET_NODE', 'return', 'u2', { targetNodeId: 'n' });
    expectRefused(d, 'INVALID_TARGET_NODE', 'return', 'u2', { targetNodeId: 'end' });
    expectRefused(d, 'NOT_ASSIGNEE', 'return', 'u3', { targetNodeId: 'a' });
    expect(d.check('return', 'u2', { targetNodeId: 'a' })).toBeNull();
  });
});

describe('return to the initiator and resubmit', () => {
  const definition: FlowDefinition = flow([
    { id: 'begin', type: 'start', next: 'mgr' },
    approval('mgr', ['u1'], 'route'),
    { id: 'route', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 10000 }, next: 'cfo' }], default: 'clerk' },
    approval('cfo', ['cfo'], 'end'),
    approval('clerk', ['clerk'], 'end'),
    { id: 'end', type: 'end' },
  ]);

  it('closes every open task as returned and waits at the start node for the initiator', () => {
    const d = Driver.start(definition, { form: { amount: 500 } });
    d.approve('u1');
    expect(d.nodes()).toEqual(['clerk']);
    d.do('return', 'clerk', { targetNodeId: 'start' });
    expect(d.state.awaitingResubmit).toBe(true);
    expect(d.status).toBe('running');
    expect(d.nodes()).toEqual(['begin']);
    expect(d.task('clerk')).toMatchObject({ status: 'returned' });
    expect(d.state.runs).toEqual([]);
    expect(d.state.completedRuns).toEqual([]);
    expect(d.assignees()).toEqual([]);
    expect(d.events('returned').at(-1)!.data.targetNodeId).toBe('start');
    expectRefused(d, 'TASK_NOT_PENDING', 'approve', 'clerk');
    expectRefused(d, 'NOTHING_TO_URGE', 'urge', 'init');
    expectRefused(d, 'NOT_INITIATOR', 'resubmit', 'u1');
  });

  it('accepts the start node’s own id as the target', () => {
    const d = Driver.start(definition);
    d.do('return', 'u1', { targetNodeId: 'begin' });
    expect(d.state.awaitingResubmit).toBe(true);
  });

  it('resubmit with a new form runs the flow again from the start and takes the other branch', () => {
    const d = Driver.start(definition, { form: { amount: 500 } });
    d.approve('u1');
    d.do('return', 'clerk', { targetNodeId: 'start' });
    d.after(60).do('resubmit', 'init', { form: { amount: 50000 }, comment: 'now with the real amount' });
    expect(d.state.awaitingResubmit).toBe(false);
    expect(d.state.form).toEqual({ amount: 50000 });
    expect(d.events('resubmitted')).toEqual([expect.objectContaining({ actorId: 'init', data: expect.objectContaining({ formChanged: true }) })]);
    // the approval before the return no longer counts: u1 acts again
    expect(d.assignees()).toEqual(['u1']);
    d.approve('u1');
    expect(d.nodes()).toEqual(['cfo']);
    d.approve('cfo');
    expect(d.status).toBe('approved');
  });

  it('a resubmitted form is checked against the definition the instance runs, and refused whole with each problem', () => {
    const d = Driver.start(definition, { form: { amount: 500 } });
    d.do('return', 'u1', { targetNodeId: 'start' });
    const action = d.request('resubmit', 'init', { form: { amount: 'a lot', urgent: 'yes' } });
    expect(checkAction(d.state, action, d.now)).toEqual({
      ok: false,
      refusal: {
        code: 'INVALID_FORM',
        message: 'form.amount: must be a finite number; form.urgent: must be true or false',
        details: [
          { field: 'form.amount', message: 'must be a finite number' },
          { field: 'form.urgent', message: 'must be true or false' },
        ],
      },
    });
    seen.add('INVALID_FORM');
    expect(() => act(d.state, action, d.now)).toThrow(/INVALID_FORM/);
    expect(d.check('resubmit', 'init', { form: { amount: 20000, urgent: true } })).toBeNull();
  });

  it('resubmit without a form keeps the form', () => {
    const d = Driver.start(definition, { form: { amount: 500 } });
    d.do('return', 'u1', { targetNodeId: 'start' });
    d.do('resubmit', 'init');
    expect(d.state.form).toEqual({ amount: 500 });
    expect(d.events('resubmitted')[0]!.data.formChanged).toBe(false);
  });

  it('resubmit is refused unless the instance was returned to the initiator', () => {
    const d = Driver.start(definition);
    expectRefused(d, 'NOT_RETURNED', 'resubmit', 'init');
  });

  it('the initiator may withdraw instead of resubmitting', () => {
    const d = Driver.start(definition);
    d.do('return', 'u1', { targetNodeId: 'start' });
    d.do('withdraw', 'init');
    expect(d.status).toBe('withdrawn');
    expect(d.state.awaitingResubmit).toBe(false);
  });
});

describe('revoke (撤回审批)', () => {
  it('while the node is still open (mode all): the task is pending again', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { timeout: { remindAfter: 'PT2H' } }]));
    d.approve('u1', { comment: 'ok' });
    d.after(10).do('revoke', 'u1');
    expect(d.task('u1')).toMatchObject({ status: 'pending', remindAt: hoursAfter(2, minutesAfter(10)) });
    expect(d.task('u1').completedAt).toBeUndefined();
    expect(d.task('u1').comment).toBeUndefined();
    expect(d.events('revoked')).toEqual([
      expect.objectContaining({ actorId: 'u1', taskId: d.task('u1').taskId, data: expect.objectContaining({ undoneRuns: [] }) }),
    ]);
    d.approve('u2');
    expect(d.status).toBe('running');
    d.approve('u1');
    expect(d.status).toBe('approved');
  });

  it('after the node completed, while the next node is untouched: the next node is undone and the node reopened', () => {
    const d = Driver.start(line(['a', ['u1', 'u2'], { mode: 'any' }], ['b', ['u3', 'u4']]));
    d.approve('u1');
    const aRun = d.state.completedRuns[0]!;
    const bRun = d.state.runs[0]!;
    expect(bRun.nodeId).toBe('b');
    d.do('revoke', 'u1');
    expect(d.statuses('b')).toEqual([
      ['u3', 'cancelled'],
      ['u4', 'cancelled'],
    ]);
    expect(d.task('u3', 'b').reason).toBe('revoked');
    expect(d.nodes()).toEqual(['a']);
    expect(d.state.runs.map((r) => r.runId)).toEqual([aRun.runId]);
    expect(d.state.completedRuns).toEqual([]);
    // the other assignee of the any-node, cancelled when the node completed, is pending again too
    expect(d.statuses('a')).toEqual([
      ['u1', 'pending'],
      ['u2', 'pending'],
    ]);
    expect(d.events('revoked')[0]!.data.undoneRuns).toEqual([bRun.runId]);
    d.approve('u2');
    expect(d.nodes()).toEqual(['b']);
    expect(d.state.runs[0]!.runId).not.toBe(bRun.runId);
    expect(d.assignees()).toEqual(['u3', 'u4']);
  });

  it('while the next node is still resolving its approvers: the late answer is ignored', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u3']]), { hold: (p) => p.kind === 'node' && p.runId === 2 });
    d.approve('u1');
    expect(d.state.runs[0]).toMatchObject({ nodeId: 'b', phase: 'resolving' });
    d.do('revoke', 'u1');
    d.answer(['u3']);
    expect(d.tasks('b')).toEqual([]);
    expect(d.nodes()).toEqual(['a']);
  });

  it('is refused once the next node has been acted on', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u3', 'u4']]));
    d.approve('u1');
    d.do('comment', 'u3', { comment: 'looking' });
    expect(d.check('revoke', 'u1')).toBeNull();
    d.approve('u3');
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1');
  });

  it('is refused once the next node has completed', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u3']], ['c', ['u5']]));
    d.approve('u1');
    d.approve('u3');
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1');
    expect(d.check('revoke', 'u3')).toBeNull();
  });

  it('is refused without an approval that still stands', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']]));
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1');
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'zz');
    d.approve('u2');
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1', { taskId: d.task('u2').taskId });
    expect(d.check('revoke', 'u2', { taskId: d.task('u2').taskId })).toBeNull();
  });

  it('an auto-approved (dedupe) task cannot be revoked', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u1', 'u2']]));
    d.approve('u1');
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1', { taskId: d.task('u1', 'b').taskId });
  });

  it('is refused once a signer added after the approval has acted', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'after' });
    d.approve('u1');
    expect(d.check('revoke', 'u1')).toBeNull();
    d.approve('s1');
    expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1');
  });

  it('puts after-signers released by the approval back to waiting', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'after' });
    d.approve('u1');
    expect(d.task('s1').status).toBe('pending');
    d.do('revoke', 'u1');
    expect(d.task('s1').status).toBe('waiting');
    expect(d.task('u1').status).toBe('pending');
  });

  describe('sequential', () => {
    const definition = line(['n', ['u1', 'u2', 'u3'], { mode: 'sequential' }]);

    it('takes back the turn that followed while it has not acted', () => {
      const d = Driver.start(definition);
      d.approve('u1');
      const u2Task = d.task('u2');
      d.do('revoke', 'u1');
      expect(d.task('u2')).toMatchObject({ taskId: u2Task.taskId, status: 'cancelled', reason: 'revoked' });
      expect(d.assignees()).toEqual(['u1']);
      expect(d.state.runs[0]!.queue.map((a) => a.userId)).toEqual(['u2', 'u3']);
      d.approve('u1');
      expect(d.assignees()).toEqual(['u2']);
      d.approve('u2');
      d.approve('u3');
      expect(d.status).toBe('approved');
      expect(d.statuses()).toEqual([
        ['u1', 'approved'],
        ['u2', 'cancelled'],
        ['u2', 'approved'],
        ['u3', 'approved'],
      ]);
    });

    it('is refused once the next approver acted, and to anyone but the previous approver', () => {
      const d = Driver.start(definition);
      d.approve('u1');
      d.approve('u2');
      expectRefused(d, 'REVOKE_NOT_ALLOWED', 'revoke', 'u1');
      expect(d.check('revoke', 'u2')).toBeNull();
    });

    it('the last approver of a completed sequential node may revoke while the next node is untouched', () => {
      const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'sequential' }], ['m', ['u9']]));
      d.approve('u1');
      d.approve('u2');
      d.do('revoke', 'u2');
      expect(d.nodes()).toEqual(['n']);
      expect(d.assignees()).toEqual(['u2']);
      d.approve('u2');
      expect(d.nodes()).toEqual(['m']);
    });

    // Suspected engine bug: see the report. Inside an active run an earlier approver may not
    // revoke once the next approver acted; once the run completed, the same revoke is accepted.
    it('an earlier approver of a completed sequential node may not revoke (the next approver acted)', () => {
      const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'sequential' }], ['m', ['u9']]));
      d.approve('u1');
      d.approve('u2');
      expect(d.nodes()).toEqual(['m']);
      expect(d.check('revoke', 'u1')).toBe('REVOKE_NOT_ALLOWED');
    });
  });

  // Suspected engine bug: see the report. A node re-entered by a return is entered "from" no run,
  // so a revoke of the node before it does not see it as the next node and leaves it running.
  it('after a return, revoking the node before the re-entered node undoes the re-entered node', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u2']], ['c', ['u3']]));
    d.approve('u1');
    d.approve('u2');
    d.do('return', 'u3', { targetNodeId: 'b' });
    expect(d.nodes()).toEqual(['b']);
    d.do('revoke', 'u1');
    expect(d.nodes()).toEqual(['a']);
    expect(d.task('u2', 'b')).toMatchObject({ status: 'cancelled', reason: 'revoked' });
  });

  // Suspected engine bug: see the report. Reopening an any-node puts every task the completion
  // cancelled back to pending — also an owner that was waiting for its before-signers.
  it('reopening a node keeps an owner waiting for its before-signers', () => {
    const d = Driver.start(line(['a', ['u1', 'u2'], { mode: 'any' }], ['b', ['u9']]));
    d.do('add_signer', 'u2', { signers: ['s1'], position: 'before' });
    expect(d.task('u2').status).toBe('waiting');
    d.approve('u1');
    d.do('revoke', 'u1');
    expect(d.statuses('a')).toEqual([
      ['u1', 'pending'],
      ['u2', 'waiting'],
      ['s1', 'pending'],
    ]);
  });
  // Suspected engine bug: see the report. A before-signer who takes back their approval is pending
  // again, but the owner they gate stays pending and may approve ahead of them.
  it('a before-signer’s revoke puts the owner back to waiting', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    d.approve('s1');
    expect(d.task('u1').status).toBe('pending');
    d.do('revoke', 's1');
    expect(d.task('s1').status).toBe('pending');
    expect(d.task('u1').status).toBe('waiting');
  });
});

describe('withdraw (撤销)', () => {
  it('the initiator withdraws: pending and waiting tasks are cancelled', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    d.after(1).do('withdraw', 'init', { comment: 'no longer needed' });
    expect(d.status).toBe('withdrawn');
    expect(d.state.completedAt).toBe(minutesAfter(1));
    expect(d.statuses()).toEqual([
      ['u1', 'cancelled'],
      ['u2', 'cancelled'],
      ['s1', 'cancelled'],
    ]);
    expect(d.tasks().every((t) => t.reason === 'withdrawn')).toBe(true);
    expect(d.events('withdrawn')).toEqual([expect.objectContaining({ actorId: 'init', data: expect.objectContaining({ comment: 'no longer needed' }) })]);
    expect(d.events('instance_completed').at(-1)!.data).toEqual({ status: 'withdrawn' });
    expect(d.state.runs).toEqual([]);
  });

  it('only the initiator, only while running', () => {
    const d = Driver.start(line(['n', ['u1']]));
    expectRefused(d, 'NOT_INITIATOR', 'withdraw', 'u1');
    d.do('withdraw', 'init');
    expectRefused(d, 'INSTANCE_NOT_RUNNING', 'withdraw', 'init');
  });
});

describe('comment', () => {
  it('any participant may comment; nothing but the timeline changes', () => {
    const d = Driver.start(line(['n', ['u1']]), { directory: { 'delegate:u1': ['d1'] } });
    expect(d.task('d1').delegatedFrom).toBe('u1');
    for (const actor of ['init', 'd1', 'u1']) {
      const before = d.state;
      d.do('comment', actor, { comment: `from ${actor}` });
      expect({ ...d.state, timeline: [], nextEventSeq: 0 }).toEqual({ ...before, timeline: [], nextEventSeq: 0 });
    }
    expect(d.events('comment').map((e) => [e.actorId, e.data.comment])).toEqual([
      ['init', 'from init'],
      ['d1', 'from d1'],
      ['u1', 'from u1'],
    ]);
  });

  it('a past assignee is still a participant; the comment may name a task', () => {
    const d = Driver.start(line(['n', ['u1']], ['m', ['u2']]));
    d.approve('u1');
    d.do('comment', 'u1', { comment: 'note', taskId: 'n.1' });
    expect(d.events('comment')[0]).toMatchObject({ actorId: 'u1', taskId: 'n.1' });
  });

  it('a non-participant may not comment', () => {
    const d = Driver.start(line(['n', ['u1']]));
    expectRefused(d, 'NOT_PARTICIPANT', 'comment', 'stranger', { comment: 'hi' });
  });
});

describe('urge (催办)', () => {
  it('reminds the current assignees, at most once per task per hour', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']]));
    d.do('urge', 'init');
    expect(d.notifications('urge')).toEqual([
      {
        key: 'approval:test_flow:BK-1:urge:1',
        kind: 'urge',
        recipients: ['u1', 'u2'],
        taskIds: ['n.1', 'n.2'],
        title: expect.any(String),
      },
    ]);
    expect(d.task('u1').lastUrgedAt).toBe(T0);
    expect(d.events('urged')[0]!.data.taskIds).toEqual(['n.1', 'n.2']);
    d.at(minutesAfter(30));
    expectRefused(d, 'URGE_TOO_SOON', 'urge', 'init');
    d.at(minutesAfter(61));
    d.do('urge', 'init');
    expect(d.notifications('urge')).toHaveLength(2);
    expect(d.task('u1').lastUrgedAt).toBe(minutesAfter(61));
  });

  it('urges only the tasks not urged within the hour', () => {
    const d = Driver.start(line(['n', ['u1']], ['m', ['u2', 'u3']]));
    d.do('urge', 'init');
    d.after(10).approve('u1');
    d.after(10).do('transfer', 'u3', { toUserId: 'u4' });
    d.do('urge', 'init');
    expect(d.notifications('urge').at(-1)).toMatchObject({ recipients: ['u2', 'u4'] });
    d.after(10);
    expectRefused(d, 'URGE_TOO_SOON', 'urge', 'init');
  });

  it('only the initiator; only with a pending task', () => {
    const d = Driver.start(line(['n', ['u1']]), { hold: () => true });
    expectRefused(d, 'NOTHING_TO_URGE', 'urge', 'init');
    d.answer(['u1']);
    expectRefused(d, 'NOT_INITIATOR', 'urge', 'u1');
    expect(d.check('urge', 'init')).toBeNull();
  });
});

describe('transfer of an owner whose after-signers wait', () => {
  // Suspected engine bug: see the report. The after-signers point at the owner's old task id;
  // after a transfer that task never approves, so they wait forever and the node never completes.
  it('the new assignee’s approval releases the after-signers', () => {
    const d = Driver.start(line(['n', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'after' });
    d.do('transfer', 'u1', { toUserId: 'u5' });
    d.approve('u5');
    expect(d.task('s1').status).toBe('pending');
    d.approve('s1');
    expect(d.status).toBe('approved');
  });
});
