import type { InstanceView } from '../../engine/instance-view';
import { delegate, HOUR, instancePath, publishFlow, uid } from '../support/fixtures';
import {
  act,
  actOk,
  approval,
  chainFlow,
  publishOneNode,
  start,
  startRequest,
  startSettled,
  syncOrg,
  taskRows,
  timeline,
  waitForNotifications,
  type ApprovalSpec,
} from '../support/engine-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Each approver source (SPEC §4 `approvers.type`) resolved by a started instance against an org
 * pushed through /sync/departments and /sync/users:
 *
 *   departments   d_root [u_ceo] ← d_eng [u_cto] ← d_team [u_lead] ← d_solo [u_solo]
 *   reporting     u_init → u_lead (Team Lead) → u_director (Director) → u_cto (CTO) → u_ceo (CEO)
 *                 u_solo → u_lead
 *   roles         finance: u_fin_b, u_fin_a (pushed in that order)
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  await syncOrg(stack.api, {
    departments: [
      // Children before parents: an incremental push may order the batch freely.
      { id: 'd_solo', name: '独立小组', parentId: 'd_team', leaderIds: ['u_solo'] },
      { id: 'd_team', name: '研发一组', parentId: 'd_eng', leaderIds: ['u_lead'] },
      { id: 'd_eng', name: '研发部', parentId: 'd_root', leaderIds: ['u_cto'] },
      { id: 'd_root', name: '公司', leaderIds: ['u_ceo'] },
    ],
    users: [
      { id: 'u_ceo', deptIds: ['d_root'], title: 'CEO' },
      { id: 'u_cto', deptIds: ['d_eng'], managerId: 'u_ceo', title: 'CTO' },
      { id: 'u_director', deptIds: ['d_eng'], managerId: 'u_cto', title: 'Director' },
      { id: 'u_lead', deptIds: ['d_team'], managerId: 'u_director', title: 'Team Lead' },
      { id: 'u_init', deptIds: ['d_team', 'd_eng'], managerId: 'u_lead', title: 'Engineer' },
      { id: 'u_solo', deptIds: ['d_solo'], managerId: 'u_lead', title: 'Engineer' },
      { id: 'u_fin_b', roles: ['finance'] },
      { id: 'u_fin_a', roles: ['finance', 'buyer'] },
      { id: 'u_away' },
      { id: 'u_deputy' },
    ],
  });
});
afterAll(() => stack?.stop());

/** Publishes `start → approve → end` with the source and answers the started instance's settled view. */
async function resolveThrough(spec: ApprovalSpec, initiatorId = 'u_init'): Promise<InstanceView> {
  const code = await publishOneNode(stack.api, 'src', spec);
  return startSettled(stack.api, code, { initiatorId });
}

describe('approver sources, resolved by a started instance', () => {
  it('users: the named users, in the order given', async () => {
    const view = await resolveThrough({ approvers: { type: 'users', ids: ['u_fin_b', 'u_lead', 'u_ceo'] }, mode: 'all' });
    expect(taskRows(view)).toEqual([
      ['approve', 'u_fin_b', 'pending'],
      ['approve', 'u_lead', 'pending'],
      ['approve', 'u_ceo', 'pending'],
    ]);
  });

  it('role: every active holder of the role, by id', async () => {
    const view = await resolveThrough({ approvers: { type: 'role', role: 'finance' }, mode: 'all' });
    expect(taskRows(view)).toEqual([
      ['approve', 'u_fin_a', 'pending'],
      ['approve', 'u_fin_b', 'pending'],
    ]);
    const buyers = await resolveThrough({ approvers: { type: 'role', role: 'buyer' }, mode: 'all' });
    expect(taskRows(buyers)).toEqual([['approve', 'u_fin_a', 'pending']]);
  });

  it("dept_leader level 1: the leader of the initiator's first department", async () => {
    const view = await resolveThrough({ approvers: { type: 'dept_leader', levels: 1 }, mode: 'any' });
    expect(taskRows(view)).toEqual([['approve', 'u_lead', 'pending']]);
    const byDefault = await resolveThrough({ approvers: { type: 'dept_leader' }, mode: 'any' });
    expect(taskRows(byDefault)).toEqual([['approve', 'u_lead', 'pending']]);
  });

  it('dept_leader level 2: the leader of the parent department', async () => {
    const view = await resolveThrough({ approvers: { type: 'dept_leader', levels: 2 }, mode: 'any' });
    expect(taskRows(view)).toEqual([['approve', 'u_cto', 'pending']]);
  });

  it('dept_leader: a department the initiator alone leads is skipped (level 1 is the next one up)', async () => {
    const one = await resolveThrough({ approvers: { type: 'dept_leader', levels: 1 }, mode: 'any' }, 'u_solo');
    expect(taskRows(one)).toEqual([['approve', 'u_lead', 'pending']]);
    const two = await resolveThrough({ approvers: { type: 'dept_leader', levels: 2 }, mode: 'any' }, 'u_solo');
    expect(taskRows(two)).toEqual([['approve', 'u_cto', 'pending']]);
  });

  it('manager levels 2, sequential: the direct manager first, then theirs', async () => {
    const view = await resolveThrough({ approvers: { type: 'manager', levels: 2 }, mode: 'sequential' });
    expect(taskRows(view)).toEqual([['approve', 'u_lead', 'pending']]);
    const next = await actOk(stack.api, view.instanceId, 'approve', 'u_lead');
    expect(taskRows(next)).toEqual([
      ['approve', 'u_lead', 'approved'],
      ['approve', 'u_director', 'pending'],
    ]);
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_director');
    expect(done.status).toBe('approved');
  });

  it('manager (no levels): the direct manager only', async () => {
    const view = await resolveThrough({ approvers: { type: 'manager' }, mode: 'all' });
    expect(taskRows(view)).toEqual([['approve', 'u_lead', 'pending']]);
  });

  it('manager untilTitle: every manager up to and including the first with that title', async () => {
    const view = await resolveThrough({ approvers: { type: 'manager', untilTitle: 'CTO' }, mode: 'all' });
    expect(taskRows(view)).toEqual([
      ['approve', 'u_lead', 'pending'],
      ['approve', 'u_director', 'pending'],
      ['approve', 'u_cto', 'pending'],
    ]);
    const director = await resolveThrough({ approvers: { type: 'manager', untilTitle: 'Director' }, mode: 'all' });
    expect(taskRows(director)).toEqual([
      ['approve', 'u_lead', 'pending'],
      ['approve', 'u_director', 'pending'],
    ]);
  });

  it('initiator: the initiator themself', async () => {
    const view = await resolveThrough({ approvers: { type: 'initiator' }, mode: 'any' });
    expect(taskRows(view)).toEqual([['approve', 'u_init', 'pending']]);
    expect((await actOk(stack.api, view.instanceId, 'approve', 'u_init')).status).toBe('approved');
  });
});

describe('initiator_select (自选审批人)', () => {
  let code: string;
  beforeAll(async () => {
    code = uid('select');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        { id: 'by_amount', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 10000 }, next: 'pick' }], default: 'fixed' },
        approval('pick', { approvers: { type: 'initiator_select' }, mode: 'sequential', next: 'fixed' }),
        approval('fixed', { approvers: { type: 'users', ids: ['u_ceo'] }, mode: 'any', next: 'end' }),
      ]),
    );
  });
  const big = { amount: 20000 };

  it('the users chosen under selectedApprovers[nodeId], in the order chosen', async () => {
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init', form: big, selectedApprovers: { pick: ['u_fin_b', 'u_cto'] } });
    expect(view.currentNodeIds).toEqual(['pick']);
    expect(taskRows(view)).toEqual([['pick', 'u_fin_b', 'pending']]);
    const next = await actOk(stack.api, view.instanceId, 'approve', 'u_fin_b');
    expect(taskRows(next).at(-1)).toEqual(['pick', 'u_cto', 'pending']);
  });

  it('400 when a node on the route needs a choice and none was given (empty list too), starting nothing', async () => {
    for (const selectedApprovers of [undefined, { pick: [] }]) {
      const body = startRequest(code, { initiatorId: 'u_init', form: big, ...(selectedApprovers ? { selectedApprovers } : {}) });
      const response = await stack.api.request('POST', '/api/v1/instances', body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('selectedApprovers.pick');
      expect((await stack.api.request('GET', instancePath(`approval:${code}:${body.businessKey}`))).status).toBe(404);
    }
  });

  it('needs no choice when the route does not pass the node', async () => {
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init', form: { amount: 10 } });
    expect(taskRows(view)).toEqual([['fixed', 'u_ceo', 'pending']]);
  });

  it('422 for a selected user who is unknown', async () => {
    const body = startRequest(code, { initiatorId: 'u_init', form: big, selectedApprovers: { pick: ['u_fin_b', 'u_nobody'] } });
    const response = await stack.api.request('POST', '/api/v1/instances', body);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: { code: 'UNKNOWN_USER' } });
    expect(JSON.stringify(response.body)).toContain('u_nobody');
    expect((await stack.api.request('GET', instancePath(`approval:${code}:${body.businessKey}`))).status).toBe(404);
  });

  it('400 for more than one choice on a node with multiple:false; one is fine', async () => {
    const single = uid('select_one');
    await publishFlow(stack.api, chainFlow(single, [approval('pick', { approvers: { type: 'initiator_select', multiple: false }, mode: 'any' })]));
    const two = await stack.api.request(
      'POST',
      '/api/v1/instances',
      startRequest(single, { initiatorId: 'u_init', selectedApprovers: { pick: ['u_cto', 'u_ceo'] } }),
    );
    expect(two.status).toBe(400);
    expect(JSON.stringify(two.body)).toContain('selectedApprovers.pick');
    const view = await startSettled(stack.api, single, { initiatorId: 'u_init', selectedApprovers: { pick: ['u_cto'] } });
    expect(taskRows(view)).toEqual([['pick', 'u_cto', 'pending']]);
  });

  it('400 for a key that is not an initiator_select node (an approval node of another source, or no node at all)', async () => {
    for (const key of ['fixed', 'nope']) {
      const body = startRequest(code, { initiatorId: 'u_init', form: big, selectedApprovers: { pick: ['u_cto'], [key]: ['u_ceo'] } });
      const response = await stack.api.request('POST', '/api/v1/instances', body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain(`selectedApprovers.${key}`);
    }
  });
});

describe('delegation (委托)', () => {
  it('a task for a delegator goes to the delegate, with delegatedFrom; the timeline shows both; the delegate acts', async () => {
    const code = await publishOneNode(stack.api, 'deleg', { approvers: { type: 'users', ids: ['u_away', 'u_fin_a'] }, mode: 'all' });
    await delegate(stack.api, { delegatorId: 'u_away', delegateId: 'u_deputy', flowCodes: [code], reason: '休假' });
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init' });
    expect(view.tasks.map((t) => [t.assigneeId, t.status, t.delegatedFrom])).toEqual([
      ['u_deputy', 'pending', 'u_away'],
      ['u_fin_a', 'pending', undefined],
    ]);
    const deputyTask = view.tasks[0]!;

    const events = await timeline(stack.api, view.instanceId);
    const created = events.find((e) => e.type === 'task_created' && e.taskId === deputyTask.taskId);
    expect(created).toMatchObject({ nodeId: 'approve', data: { assigneeId: 'u_deputy', delegatedFrom: 'u_away' } });

    // The delegator has no task of their own to act on.
    const byDelegator = await act(stack.api, view.instanceId, 'approve', 'u_away');
    expect(byDelegator.status).toBe(403);
    await actOk(stack.api, view.instanceId, 'approve', 'u_deputy', { comment: '代为同意' });
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_fin_a');
    expect(done.status).toBe('approved');
    expect(done.tasks[0]).toMatchObject({ assigneeId: 'u_deputy', delegatedFrom: 'u_away', status: 'approved', comment: '代为同意' });
  });

  it('a sequential turn that comes after the delegation began goes to the delegate (the task is created in the range)', async () => {
    const code = await publishOneNode(stack.api, 'deleg_seq', { approvers: { type: 'users', ids: ['u_fin_a', 'u_director'] }, mode: 'sequential' });
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init' });
    expect(taskRows(view)).toEqual([['approve', 'u_fin_a', 'pending']]);
    // u_director goes on leave while u_fin_a still has the first turn.
    const now = Date.now();
    await delegate(stack.api, { delegatorId: 'u_director', delegateId: 'u_deputy', flowCodes: [code] });
    const next = await actOk(stack.api, view.instanceId, 'approve', 'u_fin_a');
    const turn = next.tasks.find((t) => t.status === 'pending')!;
    // Created after the delegation began (startsAt = now - 1 h), for u_director's turn.
    expect(Date.parse(turn.createdAt)).toBeGreaterThanOrEqual(now - HOUR);
    expect([turn.assigneeId, turn.delegatedFrom]).toEqual(['u_deputy', 'u_director']);
  });

  it('cc recipients do not follow delegations: the notice goes to the delegator', async () => {
    const code = uid('deleg_cc');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        { id: 'notify', type: 'cc', recipients: { type: 'users', ids: ['u_away'] } },
        approval('approve', { approvers: { type: 'users', ids: ['u_away'] }, mode: 'any' }),
      ]),
    );
    await delegate(stack.api, { delegatorId: 'u_away', delegateId: 'u_deputy', flowCodes: [code] });
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init' });
    expect(view.tasks.map((t) => [t.assigneeId, t.delegatedFrom])).toEqual([['u_deputy', 'u_away']]);
    const rows = await waitForNotifications(stack.database.db, view.instanceId, 1);
    expect(rows.map((r) => [r.kind, r.recipientId])).toEqual([['cc', 'u_away']]);
  });

  it('a delegation scoped to another flow leaves the task with the approver', async () => {
    const code = await publishOneNode(stack.api, 'deleg_other', { approvers: { type: 'users', ids: ['u_fin_b'] }, mode: 'any' });
    await delegate(stack.api, { delegatorId: 'u_fin_b', delegateId: 'u_deputy', flowCodes: [`${code}_other`] });
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init' });
    expect(view.tasks.map((t) => [t.assigneeId, t.delegatedFrom])).toEqual([['u_fin_b', undefined]]);
  });
});

it('a start for an unknown initiator answers 422 and starts nothing', async () => {
  const code = await publishOneNode(stack.api, 'unknown_init', { approvers: { type: 'manager' }, mode: 'any' });
  const body = startRequest(code, { initiatorId: 'u_stranger' });
  const response = await stack.api.request('POST', '/api/v1/instances', body);
  expect(response.status).toBe(422);
  expect(response.body).toMatchObject({ error: { code: 'UNKNOWN_USER' } });
  expect((await stack.api.request('GET', instancePath(`approval:${code}:${body.businessKey}`))).status).toBe(404);
  // Sanity: the same flow starts for a known initiator.
  expect((await start(stack.api, code, { initiatorId: 'u_init' })).status).toBe('running');
});
