import { actOk, expectRefused, publishChain, startActionStack, startInstance, taskOf, taskRows, timelineOf } from '../support/action-fixtures';
import { type TestStack } from '../support/test-stack';

/** SPEC §5 add_signer (加签: before, after, parallel) and remove_signer (减签) over HTTP. */

let stack: TestStack;
/** start → approve (u_a; any) → end */
let soloFlow: string;
/** start → approve (u_a, u_b; all) → end */
let allFlow: string;
/** start → first (u_a; any) → second (u_e; any) → end */
let twoNodeFlow: string;

beforeAll(async () => {
  stack = await startActionStack();
  soloFlow = await publishChain(stack, 'sig_solo', [{ id: 'approve', approvers: ['u_a'] }]);
  allFlow = await publishChain(stack, 'sig_all', [{ id: 'approve', approvers: ['u_a', 'u_b'], mode: 'all' }]);
  twoNodeFlow = await publishChain(stack, 'sig_two', [
    { id: 'first', approvers: ['u_a'] },
    { id: 'second', approvers: ['u_e'] },
  ]);
});
afterAll(() => stack?.stop());

describe('add_signer before', () => {
  it("holds the owner's task waiting until every new signer approved; then it is pending again and decides the node", async () => {
    const view = await startInstance(stack, soloFlow);
    const owner = taskOf(view, 'u_a');
    const added = await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_d'], position: 'before', comment: '请先看' });
    expect(added.status).toBe('running');
    expect(taskRows(added)).toEqual([
      ['approve', 'u_a', 'waiting'],
      ['approve', 'u_c', 'pending'],
      ['approve', 'u_d', 'pending'],
    ]);
    for (const signer of ['u_c', 'u_d']) {
      expect(taskOf(added, signer).signer).toEqual({ position: 'before', addedByTaskId: owner.taskId, addedBy: 'u_a' });
    }
    // Only pending tasks accept actions: the waiting owner may not approve yet.
    await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_a', taskId: owner.taskId }, 409, 'TASK_NOT_PENDING');
    await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_a' }, 409, 'TASK_NOT_PENDING');

    const afterC = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(afterC.status).toBe('running');
    expect(taskOf(afterC, 'u_a').status).toBe('waiting');
    const afterD = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_d' });
    expect(afterD.status).toBe('running');
    expect(taskRows(afterD)).toEqual([
      ['approve', 'u_a', 'pending'],
      ['approve', 'u_c', 'approved'],
      ['approve', 'u_d', 'approved'],
    ]);
    expect(afterD.currentNodeIds).toEqual(['approve']);

    const done = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    expect(done.status).toBe('approved');
    const types = (await timelineOf(stack, view.instanceId)).events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['signers_added', 'task_reactivated']));
    const signersAdded = (await timelineOf(stack, view.instanceId)).events.find((e) => e.type === 'signers_added');
    expect(signersAdded).toMatchObject({
      actorId: 'u_a',
      taskId: owner.taskId,
      data: expect.objectContaining({ position: 'before', signers: ['u_c', 'u_d'] }),
    });
  });

  it('a before-signer who rejects decides like the seat it sits in: in mode all the instance is rejected', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'before' });
    const rejected = await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_c' });
    expect(rejected.status).toBe('rejected');
    expect(taskRows(rejected)).toEqual([
      ['approve', 'u_a', 'cancelled'],
      ['approve', 'u_b', 'cancelled'],
      ['approve', 'u_c', 'rejected'],
    ]);
  });
});

describe('add_signer after', () => {
  it('signers wait until the owner approves; the node completes only when they approve too', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    const owner = taskOf(view, 'u_a');
    const added = await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'after' });
    expect(taskRows(added)).toEqual([
      ['first', 'u_a', 'pending'],
      ['first', 'u_c', 'waiting'],
    ]);
    expect(taskOf(added, 'u_c').signer).toEqual({ position: 'after', addedByTaskId: owner.taskId, addedBy: 'u_a' });
    await expectRefused(stack, view.instanceId, { type: 'approve', actorId: 'u_c' }, 409, 'TASK_NOT_PENDING');

    const ownerApproved = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    expect(ownerApproved.status).toBe('running');
    expect(ownerApproved.currentNodeIds).toEqual(['first']);
    expect(taskRows(ownerApproved)).toEqual([
      ['first', 'u_a', 'approved'],
      ['first', 'u_c', 'pending'],
    ]);

    const signerApproved = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(signerApproved.currentNodeIds).toEqual(['second']);
    expect(taskRows(signerApproved)).toEqual([
      ['first', 'u_a', 'approved'],
      ['first', 'u_c', 'approved'],
      ['second', 'u_e', 'pending'],
    ]);
  });

  it("after-signers follow the owner's task through a transfer: they become pending once the new assignee approves", async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'after' });
    const transferred = await actOk(stack, view.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_d' });
    expect(taskRows(transferred)).toEqual([
      ['first', 'u_a', 'transferred'],
      ['first', 'u_c', 'waiting'],
      ['first', 'u_d', 'pending'],
    ]);
    const approved = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_d' });
    // The node must not be stuck with nobody able to act: the after-signer's turn has come.
    expect(approved.tasks.filter((t) => t.status === 'pending').map((t) => t.assigneeId)).toEqual(['u_c']);
    const done = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(done.currentNodeIds).toEqual(['second']);
  });

  it('an after-signer who rejects rejects the instance', async () => {
    const view = await startInstance(stack, soloFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'after' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const rejected = await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_c' });
    expect(rejected.status).toBe('rejected');
  });
});

describe('add_signer parallel', () => {
  it('in mode all, the extra signer joins the node and must approve as well', async () => {
    const view = await startInstance(stack, allFlow);
    const added = await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'parallel' });
    expect(taskRows(added)).toEqual([
      ['approve', 'u_a', 'pending'],
      ['approve', 'u_b', 'pending'],
      ['approve', 'u_c', 'pending'],
    ]);
    expect(taskOf(added, 'u_c').signer).toMatchObject({ position: 'parallel', addedBy: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const afterB = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    expect(afterB.status).toBe('running');
    expect(taskOf(afterB, 'u_c').status).toBe('pending');
    const afterC = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    expect(afterC.status).toBe('approved');
  });

  it('in mode all, a parallel signer who rejects rejects the instance', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_b', signers: ['u_c'], position: 'parallel' });
    const rejected = await actOk(stack, view.instanceId, { type: 'reject', actorId: 'u_c' });
    expect(rejected.status).toBe('rejected');
  });
});

describe('add_signer refusals', () => {
  it('adding oneself → 422 INVALID_SIGNERS, without a trace', async () => {
    const view = await startInstance(stack, allFlow);
    await expectRefused(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_a'], position: 'before' }, 422, 'INVALID_SIGNERS');
  });

  it('adding someone already assigned on the node → 422 ALREADY_ASSIGNEE, without a trace', async () => {
    const view = await startInstance(stack, allFlow);
    await expectRefused(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_b'], position: 'parallel' }, 422, 'ALREADY_ASSIGNEE');
  });

  it('an unknown user → 422 UNKNOWN_USER naming the entry, without a trace', async () => {
    const view = await startInstance(stack, allFlow);
    const refused = await expectRefused(
      stack,
      view.instanceId,
      { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_ghost'], position: 'after' },
      422,
      'UNKNOWN_USER',
    );
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'signers.1' })]);
  });

  it('the same signer twice → 422 INVALID_SIGNERS, without a trace', async () => {
    const view = await startInstance(stack, allFlow);
    await expectRefused(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_c'], position: 'after' }, 422, 'INVALID_SIGNERS');
  });

  it.each([
    ['position', { signers: ['u_c'] }],
    ['signers', { position: 'before' }],
  ])('without %s → 400 VALIDATION_FAILED naming it, without a trace', async (field, extra) => {
    const view = await startInstance(stack, allFlow);
    const refused = await expectRefused(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', ...extra }, 400, 'VALIDATION_FAILED');
    expect(refused.error.details).toEqual([expect.objectContaining({ field })]);
  });

  it('an unknown position → 400 VALIDATION_FAILED naming position', async () => {
    const view = await startInstance(stack, allFlow);
    const refused = await expectRefused(
      stack,
      view.instanceId,
      { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'middle' },
      400,
      'VALIDATION_FAILED',
    );
    expect(refused.error.details).toEqual([expect.objectContaining({ field: 'position' })]);
  });

  it('by someone who is not an assignee → 403 NOT_ASSIGNEE, without a trace', async () => {
    const view = await startInstance(stack, allFlow);
    await expectRefused(stack, view.instanceId, { type: 'add_signer', actorId: 'u_outsider', signers: ['u_c'], position: 'before' }, 403, 'NOT_ASSIGNEE');
  });
});

describe('remove_signer (减签)', () => {
  it('removes the signers the actor added who have not acted; acted ones stay; the owner is pending again', async () => {
    const view = await startInstance(stack, soloFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_d'], position: 'before' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    const removed = await actOk(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_a' });
    expect(removed.status).toBe('running');
    expect(taskRows(removed)).toEqual([
      ['approve', 'u_a', 'pending'],
      ['approve', 'u_c', 'approved'],
      ['approve', 'u_d', 'cancelled'],
    ]);
    expect(taskOf(removed, 'u_d').reason).toBe('removed');
    const events = (await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'signers_removed');
    expect(events).toEqual([expect.objectContaining({ actorId: 'u_a', data: expect.objectContaining({ signers: ['u_d'] }) })]);

    // Nothing left to remove.
    await expectRefused(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_a' }, 409, 'NOTHING_TO_REMOVE');
    expect((await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' })).status).toBe('approved');
  });

  it('removes only the named signers; a removed parallel signer no longer holds up the node', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_d'], position: 'parallel' });
    const removed = await actOk(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_a', signers: ['u_c'] });
    expect(taskRows(removed)).toEqual([
      ['approve', 'u_a', 'pending'],
      ['approve', 'u_b', 'pending'],
      ['approve', 'u_c', 'cancelled'],
      ['approve', 'u_d', 'pending'],
    ]);
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_b' });
    expect((await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_d' })).status).toBe('approved');
  });

  it('removing after-signers once the owner approved lets the node complete', async () => {
    const view = await startInstance(stack, twoNodeFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'after' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_a' });
    const removed = await actOk(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_a' });
    expect(removed.currentNodeIds).toEqual(['second']);
    expect(taskOf(removed, 'u_c')).toMatchObject({ status: 'cancelled', reason: 'removed' });
  });

  it('by someone who added none (another assignee, an outsider) → 409 NOTHING_TO_REMOVE, without a trace', async () => {
    const view = await startInstance(stack, allFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c'], position: 'parallel' });
    await expectRefused(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_b' }, 409, 'NOTHING_TO_REMOVE');
    await expectRefused(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_b', signers: ['u_c'] }, 409, 'NOTHING_TO_REMOVE');
    await expectRefused(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_outsider' }, 409, 'NOTHING_TO_REMOVE');
  });

  it('naming a signer who already acted (or was never added) → 422 INVALID_SIGNERS, without a trace', async () => {
    const view = await startInstance(stack, soloFlow);
    await actOk(stack, view.instanceId, { type: 'add_signer', actorId: 'u_a', signers: ['u_c', 'u_d'], position: 'before' });
    await actOk(stack, view.instanceId, { type: 'approve', actorId: 'u_c' });
    await expectRefused(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_a', signers: ['u_c'] }, 422, 'INVALID_SIGNERS');
    await expectRefused(stack, view.instanceId, { type: 'remove_signer', actorId: 'u_a', signers: ['u_e'] }, 422, 'INVALID_SIGNERS');
  });
});
