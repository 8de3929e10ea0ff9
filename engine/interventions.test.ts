import type { FlowNode } from './dsl';
import { reassignRefusal, terminationRefusal, type Command, type ReassignRequest, type WebhookEvent } from './instance';
import { Driver, approval, flow, line, minutesAfter } from '../test/support/engine-driver';

const start = (next: string): FlowNode => ({ id: 'start', type: 'start', next });
const end: FlowNode = { id: 'end', type: 'end' };
const reserve = { system: 'erp', operation: 'reserve_budget' };
const release = { system: 'erp', operation: 'release_budget' };
// start → mgr(u1) → reserve (service, compensate release) → fin(u2, u3) → end
const reserveFlow = flow([
  start('mgr'),
  approval('mgr', ['u1'], 'reserve'),
  { id: 'reserve', type: 'service', call: reserve, compensate: release, next: 'fin' },
  approval('fin', ['u2', 'u3'], 'end'),
  end,
]);
const webhooks = { webhooks: true, callbackUrl: 'https://erp.example.com/hooks', source: { system: 'erp', type: 'po', id: 'PO-1' } };
const webhookTypes = (d: Driver, from: number) =>
  d.log
    .slice(from)
    .filter((c): c is Extract<Command, { type: 'webhook' }> => c.type === 'webhook')
    .map((c): [WebhookEvent['type'], string] => [c.event.type, c.event.task ? `${c.event.task.assigneeId}:${c.event.task.status}` : c.event.instance.status]);

describe('terminate (强制终止)', () => {
  it('cancels every open task, records who and why, and ends the instance terminated', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']], ['b', ['u3']]), { input: webhooks });
    d.after(2).approve('u1');
    const logged = d.log.length;
    d.after(3).terminate('admin1', 'duplicate purchase order', 'req-7');
    expect(d.status).toBe('terminated');
    expect(d.state.completedAt).toBe(minutesAfter(5));
    expect(d.statuses()).toEqual([
      ['u1', 'approved'],
      ['u2', 'cancelled'],
    ]);
    expect(d.task('u2').reason).toBe('terminated');
    expect(d.events('terminated')).toEqual([
      expect.objectContaining({ actorId: 'admin1', at: minutesAfter(5), data: { requestId: 'req-7', reason: 'duplicate purchase order' } }),
    ]);
    expect(d.events('instance_completed').at(-1)?.data).toEqual({ status: 'terminated' });
    expect(webhookTypes(d, logged)).toEqual([
      ['approval.task.completed', 'u2:cancelled'],
      ['approval.completed', 'terminated'],
    ]);
    expect(d.nodes()).toEqual([]);
  });

  it('runs the compensations of the service nodes that succeeded before it ends', () => {
    const d = Driver.start(reserveFlow, { erp: (command) => (command.type === 'compensate' ? 'hold' : { ok: true, status: 200 }) });
    d.approve('u1');
    expect(d.assignees()).toEqual(['u2', 'u3']);
    d.terminate('app:ops', 'supplier blacklisted');
    expect(d.status).toBe('compensating');
    expect(d.state.endingAs).toBe('terminated');
    expect(d.heldCalls.map((c) => c.type)).toEqual(['compensate']);
    d.after(1).answerCallOf({ ok: true, status: 200 });
    expect(d.status).toBe('terminated');
    expect(d.events().map((e) => e.type)).toEqual(expect.arrayContaining(['terminated', 'compensation_started', 'compensated', 'instance_completed']));
  });

  it('is refused once the instance has ended, and changes nothing', () => {
    const d = Driver.start(line(['a', ['u1']]));
    d.approve('u1');
    expect(terminationRefusal(d.state)).toEqual({ code: 'INSTANCE_NOT_RUNNING', message: expect.stringContaining('approved') });
    const before = JSON.stringify(d.state);
    expect(() => d.terminate('admin1', 'too late')).toThrow(/INSTANCE_NOT_RUNNING/);
    expect(JSON.stringify(d.state)).toBe(before);
  });

  it('ends an instance returned to its initiator', () => {
    const d = Driver.start(line(['a', ['u1']]));
    d.do('return', 'u1', { targetNodeId: 'start' });
    expect(d.state.awaitingResubmit).toBe(true);
    d.terminate('admin1', 'abandoned');
    expect(d.status).toBe('terminated');
    expect(d.state.awaitingResubmit).toBe(false);
  });
});

describe('reassign (修改审批人)', () => {
  const request = (taskId: string, toUserId: string, extra: Partial<ReassignRequest> = {}) => ({ taskId, toUserId, reason: 'on leave', ...extra });

  it('moves a pending task to another user on the same seat, recording who and why', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']], ['b', ['u3']]), { input: webhooks });
    const task = d.task('u1');
    const logged = d.log.length;
    d.after(4).reassign('admin1', request(task.taskId, 'u9'), 'req-3');
    expect(d.task('u1')).toMatchObject({ status: 'transferred', reason: 'reassigned', completedAt: minutesAfter(4) });
    expect(d.task('u9')).toMatchObject({ status: 'pending', seat: task.seat, transferredFrom: task.taskId, nodeId: 'a' });
    expect(d.events('reassigned')).toEqual([
      expect.objectContaining({
        actorId: 'admin1',
        taskId: task.taskId,
        nodeId: 'a',
        data: { requestId: 'req-3', reason: 'on leave', fromUserId: 'u1', toUserId: 'u9' },
      }),
    ]);
    expect(webhookTypes(d, logged)).toEqual([
      ['approval.task.completed', 'u1:transferred'],
      ['approval.task.created', 'u9:pending'],
    ]);
    // The new assignee decides as the old one would have.
    d.approve('u9');
    d.approve('u2');
    expect(d.nodes()).toEqual(['b']);
  });

  it('gives the task to the delegate the API resolved', () => {
    const d = Driver.start(line(['a', ['u1']]));
    d.reassign('admin1', request(d.task('u1').taskId, 'u9', { targets: [{ userId: 'u8', delegatedFrom: 'u9' }] }));
    expect(d.task('u8')).toMatchObject({ status: 'pending', delegatedFrom: 'u9' });
    expect(d.events('reassigned')[0]?.data).toMatchObject({ toUserId: 'u8' });
  });

  it('keeps a task that waits for its signers waiting, and its signers wait on the new task', () => {
    const d = Driver.start(line(['a', ['u1']]));
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    const held = d.task('u1');
    expect(held.status).toBe('waiting');
    d.reassign('admin1', request(held.taskId, 'u9'));
    const successor = d.task('u9');
    expect(successor.status).toBe('waiting');
    expect(d.task('s1').signer?.addedByTaskId).toBe(successor.taskId);
    d.approve('s1');
    expect(d.task('u9').status).toBe('pending');
  });

  it('refuses an unknown task, a closed task, the assignee themself, someone already on the node and an ended instance', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']], ['b', ['u3']]));
    const refusal = (taskId: string, toUserId: string) => reassignRefusal(d.state, { requestId: 'r', actorId: 'admin1', ...request(taskId, toUserId) })?.code;
    const u1 = d.task('u1').taskId;
    expect(refusal('a.99', 'u9')).toBe('TASK_NOT_FOUND');
    expect(refusal(u1, 'u1')).toBe('TRANSFER_TO_SELF');
    expect(refusal(u1, 'u2')).toBe('ALREADY_ASSIGNEE');
    d.approve('u1');
    expect(refusal(u1, 'u9')).toBe('TASK_NOT_PENDING');
    const before = JSON.stringify(d.state);
    expect(() => d.reassign('admin1', request(u1, 'u9'))).toThrow(/TASK_NOT_PENDING/);
    expect(JSON.stringify(d.state)).toBe(before);
    expect(refusal(d.task('u2').taskId, 'u9')).toBeUndefined();
    d.reject('u2');
    expect(refusal(d.task('u2').taskId, 'u9')).toBe('INSTANCE_NOT_RUNNING');
  });
});
