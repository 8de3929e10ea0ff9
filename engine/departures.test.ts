import { holdsOpenTasks, type Command, type WebhookEvent } from './instance';
import { Driver, line, minutesAfter } from '../test/support/engine-driver';

/** In the order the workflow sends them (by seq). */
const webhooks = (d: Driver): WebhookEvent[] =>
  d.log
    .flatMap((c: Command) => (c.type === 'webhook' ? [c.event] : []))
    .sort((a, b) => Number(a.eventId.split(':').at(-2)) - Number(b.eventId.split(':').at(-2)));

describe('an assignee who left (full org push): the task goes where onEmpty points', () => {
  it('reject (the default): the task is rejected, and the node decides by its mode (all: rejected)', () => {
    const d = Driver.start(line(['n', ['u1', 'u2']], ['m', ['u9']]));
    d.after(5).departed('u1');
    expect(d.task('u1')).toMatchObject({ status: 'rejected', reason: 'departed', completedAt: minutesAfter(5) });
    expect(d.status).toBe('rejected');
    expect(d.events('assignee_departed')).toEqual([expect.objectContaining({ taskId: 'n.1', nodeId: 'n', data: { userId: 'u1', policy: 'reject' } })]);
    expect(d.events('task_completed').map((e) => e.data)).toContainEqual({ status: 'rejected', reason: 'departed' });
  });

  it('reject in mode any: the other approver still decides', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'any' }], ['m', ['u9']]));
    d.departed('u1');
    expect(d.status).toBe('running');
    expect(d.statuses('n')).toEqual([
      ['u1', 'rejected'],
      ['u2', 'pending'],
    ]);
    d.approve('u2');
    expect(d.nodes()).toEqual(['m']);
  });

  it('auto_approve: the task is approved in the leaver’s place; the others still have to approve (mode all)', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { onEmpty: 'auto_approve' }], ['m', ['u9']]));
    d.departed('u1');
    expect(d.task('u1')).toMatchObject({ status: 'auto_approved', reason: 'departed' });
    expect(d.nodes()).toEqual(['n']);
    d.approve('u2');
    expect(d.nodes()).toEqual(['m']);
  });

  it('to_admin: the task moves to the flow’s admin, who is told and then decides for the seat', () => {
    const definition = { ...line(['n', ['u1', 'u2'], { onEmpty: 'to_admin' }], ['m', ['u9']]), admins: ['adm'] };
    const d = Driver.start(definition);
    const left = d.task('u1');
    d.after(5).departed('u1');
    expect(d.resolves('handover')).toEqual([
      expect.objectContaining({
        purpose: { kind: 'handover', taskId: left.taskId },
        request: expect.objectContaining({ source: { type: 'admins', ids: ['adm'] }, subjectId: 'u1' }),
      }),
    ]);
    expect(d.task('u1')).toMatchObject({ status: 'transferred', reason: 'departed' });
    expect(d.task('adm')).toMatchObject({ status: 'pending', seat: left.seat, transferredFrom: left.taskId, nodeId: 'n' });
    expect(d.task('adm').handingOver).toBeUndefined();
    expect(d.events('handed_over')).toEqual([expect.objectContaining({ taskId: left.taskId, data: { from: 'u1', to: 'adm' } })]);
    expect(d.notifications('handed_over')).toEqual([expect.objectContaining({ recipients: ['adm'], taskIds: [d.task('adm').taskId], nodeId: 'n' })]);
    d.approve('u2');
    expect(d.nodes()).toEqual(['n']);
    d.approve('adm');
    expect(d.nodes()).toEqual(['m']);
  });

  it('to_admin without flow admins asks for the approval_admin role; an admin already on the node is passed over', () => {
    const d = Driver.start(line(['n', ['u1', 'boss'], { onEmpty: 'to_admin' }]), { directory: { 'role:approval_admin': ['boss', 'adm2'] } });
    d.departed('u1');
    expect(d.task('adm2')).toMatchObject({ status: 'pending', transferredFrom: d.task('u1').taskId });
  });

  it('to_admin with nobody to take it: the task is rejected (no_admin), as an empty node would be', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { onEmpty: 'to_admin', mode: 'any' }]));
    d.departed('u1');
    expect(d.task('u1')).toMatchObject({ status: 'rejected', reason: 'no_admin' });
    expect(d.status).toBe('running');
    expect(d.assignees()).toEqual(['u2']);
  });

  it('a repeat while the admins are looked up asks once; a task decided meanwhile stays decided', () => {
    const definition = { ...line(['n', ['u1', 'u2'], { onEmpty: 'to_admin', mode: 'any' }], ['m', ['u9']]), admins: ['adm'] };
    const d = Driver.start(definition, { hold: (p) => p.kind === 'handover' });
    d.departed('u1');
    expect(d.task('u1').handingOver).toBe(true);
    expect(holdsOpenTasks(d.state, ['u1'])).toBe(false);
    d.departed('u1');
    expect(d.resolves('handover')).toHaveLength(1);
    d.approve('u2');
    expect(d.nodes()).toEqual(['m']);
    d.answer(['adm'], 'handover');
    expect(d.task('u1')).toMatchObject({ status: 'cancelled' });
    expect(d.task('u1').handingOver).toBeUndefined();
    expect(d.tasks().some((t) => t.assigneeId === 'adm')).toBe(false);
  });

  it('a waiting task (held by its before-signers) moves to the admin still waiting; the signers’ approval releases it', () => {
    const definition = { ...line(['n', ['u1'], { onEmpty: 'to_admin' }], ['m', ['u9']]), admins: ['adm'] };
    const d = Driver.start(definition);
    d.do('add_signer', 'u1', { signers: ['s1'], position: 'before' });
    d.departed('u1');
    expect(d.task('adm')).toMatchObject({ status: 'waiting' });
    expect(d.task('s1').signer?.addedByTaskId).toBe(d.task('adm').taskId);
    expect(d.notifications('handed_over')).toEqual([]);
    d.approve('s1');
    expect(d.task('adm').status).toBe('pending');
    d.approve('adm');
    expect(d.nodes()).toEqual(['m']);
  });

  it('changes nothing for users holding no open task, or on an instance that is not running', () => {
    const d = Driver.start(line(['n', ['u1']]));
    expect(holdsOpenTasks(d.state, ['u7'])).toBe(false);
    expect(holdsOpenTasks(d.state, ['u1'])).toBe(true);
    d.approve('u1');
    expect(holdsOpenTasks(d.state, ['u1'])).toBe(false);
    const before = d.state;
    d.departed('u1');
    expect(d.state.timeline).toEqual(before.timeline);
  });

  it('is told to the ERP like any other change: task.completed for the leaver’s task, task.created for the admin’s', () => {
    const definition = { ...line(['n', ['u1'], { onEmpty: 'to_admin' }]), admins: ['adm'] };
    const d = Driver.start(definition, { input: { webhooks: true, callbackUrl: 'https://erp.example.com/hook' } });
    d.departed('u1');
    expect(webhooks(d).map((e) => [e.type, e.task?.assigneeId, e.task?.status])).toEqual([
      ['approval.task.created', 'u1', 'pending'],
      ['approval.task.completed', 'u1', 'transferred'],
      ['approval.task.created', 'adm', 'pending'],
    ]);
  });
});
