import type { FlowDefinition } from './dsl';
import { applyAction, approversResolved, checkAction, currentAssignees, startInstance, type StartInstanceInput } from './instance';
import { validateForm } from './form';

const definition: FlowDefinition = {
  code: 'po',
  name: '采购',
  form: { fields: [{ key: 'amount', type: 'number', required: true }] },
  nodes: [
    { id: 'start', type: 'start', next: 'mgr' },
    { id: 'mgr', type: 'approval', approvers: { type: 'users', ids: ['u1', 'u2'] }, mode: 'any', next: 'end' },
    { id: 'end', type: 'end' },
  ],
};

const input: StartInstanceInput = {
  instanceId: 'approval:po:1',
  flowCode: 'po',
  flowVersion: 1,
  definition,
  businessKey: '1',
  initiatorId: 'u0',
  form: { amount: 1 },
  appKey: 'erp',
};
const t0 = '2026-11-21T00:00:00.000Z';
const t1 = '2026-11-21T00:01:00.000Z';

function withTasks(ids = ['u1', 'u2']) {
  const started = startInstance(input, t0);
  return approversResolved(started.state, 'mgr', ids, t0).state;
}

describe('instance semantics (pure)', () => {
  it('entering an approval node asks for its approvers and waits there', () => {
    const { state, commands } = startInstance(input, t0);
    expect(state.status).toBe('running');
    expect(state.currentNodeIds).toEqual(['mgr']);
    expect(commands).toEqual([{ type: 'resolveApprovers', nodeId: 'mgr', source: { type: 'users', ids: ['u1', 'u2'] }, initiatorId: 'u0' }]);
  });

  it('creates one pending task per distinct approver', () => {
    const state = approversResolved(startInstance(input, t0).state, 'mgr', ['u1', 'u2', 'u1'], t0).state;
    expect(state.tasks).toEqual([
      { taskId: 'mgr.1', nodeId: 'mgr', assigneeId: 'u1', status: 'pending', createdAt: t0 },
      { taskId: 'mgr.2', nodeId: 'mgr', assigneeId: 'u2', status: 'pending', createdAt: t0 },
    ]);
    expect(currentAssignees(state)).toEqual(['u1', 'u2']);
  });

  it('onEmpty: rejects by default, auto-approves when asked, and records why', () => {
    const rejected = approversResolved(startInstance(input, t0).state, 'mgr', [], t0).state;
    expect(rejected.status).toBe('rejected');
    expect(rejected.automaticOutcomes).toEqual([{ nodeId: 'mgr', outcome: 'rejected', reason: 'no_approver' }]);
    const autoDefinition: FlowDefinition = {
      ...definition,
      nodes: definition.nodes.map((n) => (n.type === 'approval' ? { ...n, onEmpty: 'auto_approve' as const } : n)),
    };
    const approved = approversResolved(startInstance({ ...input, definition: autoDefinition }, t0).state, 'mgr', [], t0).state;
    expect(approved.status).toBe('approved');
    expect(approved.completedAt).toBe(t0);
  });

  it('mode any: the first approval completes the node, cancels the rest and reaches the end', () => {
    const { state } = applyAction(withTasks(), { type: 'approve', actionId: 'a', actorId: 'u2', comment: 'ok' }, t1);
    expect(state.status).toBe('approved');
    expect(state.tasks.map((t) => [t.assigneeId, t.status, t.completedAt])).toEqual([
      ['u1', 'cancelled', t1],
      ['u2', 'approved', t1],
    ]);
    expect(state.tasks[1]!.comment).toBe('ok');
    expect(currentAssignees(state)).toEqual([]);
  });

  it('mode any: rejected only when every assignee rejected', () => {
    const once = applyAction(withTasks(), { type: 'reject', actionId: 'a', actorId: 'u1' }, t1).state;
    expect(once.status).toBe('running');
    const twice = applyAction(once, { type: 'reject', actionId: 'b', actorId: 'u2' }, t1).state;
    expect(twice.status).toBe('rejected');
  });

  it('checkAction refuses with the right code and never changes state', () => {
    const state = withTasks();
    expect(checkAction(state, { type: 'approve', actionId: 'a', actorId: 'u9' })?.code).toBe('NOT_ASSIGNEE');
    expect(checkAction(state, { type: 'approve', actionId: 'a', actorId: 'u2', taskId: 'mgr.1' })?.code).toBe('NOT_ASSIGNEE');
    expect(checkAction(state, { type: 'approve', actionId: 'a', actorId: 'u1', taskId: 'nope' })?.code).toBe('TASK_NOT_FOUND');
    expect(checkAction(state, { type: 'approve', actionId: 'a', actorId: 'u1' })).toBeNull();
    const rejectedByU1 = applyAction(state, { type: 'reject', actionId: 'a', actorId: 'u1' }, t1).state;
    expect(checkAction(rejectedByU1, { type: 'approve', actionId: 'b', actorId: 'u1' })?.code).toBe('TASK_NOT_PENDING');
    const done = applyAction(state, { type: 'approve', actionId: 'a', actorId: 'u1' }, t1).state;
    expect(checkAction(done, { type: 'approve', actionId: 'b', actorId: 'u2' })?.code).toBe('INSTANCE_NOT_RUNNING');
    expect(() => applyAction(done, { type: 'approve', actionId: 'b', actorId: 'u2' }, t1)).toThrow(/INSTANCE_NOT_RUNNING/);
  });

  it('ignores an approver list for a node it is no longer at', () => {
    const done = applyAction(withTasks(), { type: 'approve', actionId: 'a', actorId: 'u1' }, t1).state;
    expect(approversResolved(done, 'mgr', ['u3'], t1).state).toBe(done);
  });
});

describe('form validation', () => {
  const fields = [
    { key: 'amount', type: 'number' as const, required: true },
    { key: 'title', type: 'string' as const },
    { key: 'urgent', type: 'boolean' as const },
    { key: 'due', type: 'date' as const },
  ];
  it('accepts well-typed values and absent optional fields', () => {
    expect(validateForm(fields, { amount: 10, title: 't', urgent: false, due: '2026-12-01' })).toEqual([]);
    expect(validateForm(fields, { amount: 0 })).toEqual([]);
  });
  it('names every wrong or missing field', () => {
    expect(validateForm(fields, { title: 3, urgent: 'yes', due: '12/01/2026' })).toEqual([
      { field: 'form.amount', message: 'is required' },
      { field: 'form.title', message: 'must be a string' },
      { field: 'form.urgent', message: 'must be true or false' },
      { field: 'form.due', message: 'must be an ISO 8601 date' },
    ]);
    expect(validateForm(fields, { amount: Number.NaN })).toEqual([{ field: 'form.amount', message: 'must be a finite number' }]);
  });
});
