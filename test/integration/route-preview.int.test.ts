import { listNotifications } from '../../db/notifications';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import type { PreviewNode } from '../../engine/preview';
import { delegate, expectOk, instancePath, publishFlow, uid } from '../support/fixtures';
import { actOk, approval, chainFlow, publishOneNode, start, startSettled, syncOrg, taskRows, type LooseNode } from '../support/engine-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * POST /definitions/{code}/preview (预测审批路径): the route and approvers a new instance of the
 * latest version would get for this initiator and form — without starting anything.
 *
 *   u_init (d_team) → u_mgr (leads d_team);  u_fin has role finance;  u_away delegates to u_deputy
 */

interface RoutePreview {
  flowCode: string;
  flowVersion: number;
  nodes: PreviewNode[];
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
  await syncOrg(stack.api, {
    departments: [{ id: 'd_team', name: '采购组', leaderIds: ['u_mgr'] }],
    users: [
      { id: 'u_init', deptIds: ['d_team'], managerId: 'u_mgr' },
      { id: 'u_mgr', deptIds: ['d_team'], title: 'Manager' },
      { id: 'u_cfo', title: 'CFO' },
      { id: 'u_fin', roles: ['finance'] },
      { id: 'u_a' },
      { id: 'u_b' },
      { id: 'u_away' },
      { id: 'u_deputy' },
    ],
  });
});
afterAll(() => stack?.stop());

function preview(code: string, body: Record<string, unknown>) {
  return stack.api.request<RoutePreview>('POST', `/api/v1/definitions/${code}/preview`, body);
}
const previewOk = async (code: string, body: Record<string, unknown>) => expectOk(preview(code, body));
const nodeOf = (answer: RoutePreview, nodeId: string) => answer.nodes.find((n) => n.nodeId === nodeId);

/**
 *   start → mgr (manager, all) → by_amount ─ amount > 10000 → cfo (u_cfo + u_mgr, all) ─┐
 *                                          └ default ───────────────────────────────────┴→ notify (cc finance) → empty (nobody, auto_approve) → end
 */
function purchaseFlow(code: string): FlowDefinition {
  const nodes: LooseNode[] = [
    approval('mgr', { name: '直属主管', approvers: { type: 'manager', levels: 1 }, mode: 'all', next: 'by_amount' }),
    { id: 'by_amount', type: 'condition', branches: [{ when: { all: [{ field: 'amount', op: '>', value: 10000 }] }, next: 'cfo' }], default: 'notify' },
    approval('cfo', { name: '财务总监', approvers: { type: 'users', ids: ['u_cfo', 'u_mgr'] }, mode: 'all', next: 'notify' }),
    { id: 'notify', type: 'cc', name: '抄送财务', recipients: { type: 'role', role: 'finance' }, next: 'empty' },
    approval('empty', { approvers: { type: 'users', ids: ['u_ghost'] }, mode: 'any', onEmpty: 'auto_approve', next: 'end' }),
  ];
  return chainFlow(code, nodes);
}

describe('the route a form selects', () => {
  let code: string;
  beforeAll(async () => {
    code = uid('pv');
    await publishFlow(stack.api, purchaseFlow(code));
  });

  it('walks the branch the form selects, with each node’s approvers, cc recipients and whenEmpty', async () => {
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 20000 } });
    expect(answer.flowCode).toBe(code);
    expect(answer.flowVersion).toBe(1);
    expect(answer.nodes.map((n) => n.nodeId)).toEqual(['start', 'mgr', 'by_amount', 'cfo', 'notify', 'empty', 'end']);
    expect(nodeOf(answer, 'mgr')).toMatchObject({ type: 'approval', name: '直属主管', mode: 'all', approvers: [{ userId: 'u_mgr' }] });
    expect(nodeOf(answer, 'mgr')!.whenEmpty).toBeUndefined();
    // u_mgr already approved at "mgr" (mode all: certainly), so dedupe will auto-approve them here.
    expect(nodeOf(answer, 'cfo')!.approvers).toEqual([{ userId: 'u_cfo' }, { userId: 'u_mgr', autoApproved: 'dedupe' }]);
    expect(nodeOf(answer, 'notify')).toMatchObject({ type: 'cc', recipients: ['u_fin'] });
    expect(nodeOf(answer, 'empty')).toMatchObject({ type: 'approval', approvers: [], whenEmpty: 'auto_approve' });
  });

  it('takes the default branch for a small amount (cfo is not on the route)', async () => {
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 10000 } });
    expect(answer.nodes.map((n) => n.nodeId)).toEqual(['start', 'mgr', 'by_amount', 'notify', 'empty', 'end']);
  });

  it('agrees with what a started instance then does', async () => {
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 20000 } });
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init', form: { amount: 20000 } });
    expect(view.flowVersion).toBe(answer.flowVersion);
    expect(taskRows(view)).toEqual([['mgr', 'u_mgr', 'pending']]);
    const atCfo = await actOk(stack.api, view.instanceId, 'approve', 'u_mgr');
    const cfoTasks = atCfo.tasks.filter((t) => t.nodeId === 'cfo');
    expect(cfoTasks.map((t) => ({ userId: t.assigneeId, ...(t.reason === 'dedupe' ? { autoApproved: 'dedupe' } : {}) }))).toEqual(
      nodeOf(answer, 'cfo')!.approvers,
    );
    const done = await actOk(stack.api, view.instanceId, 'approve', 'u_cfo');
    expect(done.status).toBe('approved');
    expect(done.automaticOutcomes).toEqual([{ nodeId: 'empty', outcome: 'approved', reason: 'no_approver' }]);
  });
});

describe('approver marks', () => {
  it('marks dedupe only where it is certain: not after an `any` node, where someone else may approve', async () => {
    const code = uid('pv_any');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a', 'u_b'] }, mode: 'any' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' }),
      ]),
    );
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(nodeOf(answer, 'second')!.approvers).toEqual([{ userId: 'u_a' }]);
  });

  it('does not mark dedupe on a node with dedupe:false', async () => {
    const code = uid('pv_nodedupe');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'all' }),
        approval('second', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'all', dedupe: false }),
      ]),
    );
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(nodeOf(answer, 'second')!.approvers).toEqual([{ userId: 'u_a' }]);
  });

  it('marks the initiator auto-approved under whenApproverIsInitiator auto_approve, and the manager substitute under to_manager', async () => {
    const auto = await publishOneNode(stack.api, 'pv_self', {
      approvers: { type: 'users', ids: ['u_init', 'u_a'] },
      mode: 'all',
      whenApproverIsInitiator: 'auto_approve',
    });
    expect(nodeOf(await previewOk(auto, { initiatorId: 'u_init', form: { amount: 1 } }), 'approve')!.approvers).toEqual([
      { userId: 'u_init', autoApproved: 'initiator' },
      { userId: 'u_a' },
    ]);
    const toManager = await publishOneNode(stack.api, 'pv_mgr', {
      approvers: { type: 'users', ids: ['u_init', 'u_a'] },
      mode: 'all',
      whenApproverIsInitiator: 'to_manager',
    });
    expect(nodeOf(await previewOk(toManager, { initiatorId: 'u_init', form: { amount: 1 } }), 'approve')!.approvers).toEqual([
      { userId: 'u_mgr', substitutedFor: 'u_init' },
      { userId: 'u_a' },
    ]);
  });

  it('agrees with the instance when the initiator, auto-approved on one node, is an approver again later', async () => {
    const code = uid('pv_self_again');
    await publishFlow(
      stack.api,
      chainFlow(code, [
        approval('first', { approvers: { type: 'users', ids: ['u_init', 'u_a'] }, mode: 'all', whenApproverIsInitiator: 'auto_approve' }),
        approval('second', { approvers: { type: 'users', ids: ['u_init'] }, mode: 'any' }),
      ]),
    );
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 } });
    const view = await startSettled(stack.api, code, { initiatorId: 'u_init' });
    const atSecond: InstanceView = await actOk(stack.api, view.instanceId, 'approve', 'u_a');
    const second = atSecond.tasks.filter((t) => t.nodeId === 'second');
    const actual = second.map((t) => ({ userId: t.assigneeId, ...(t.status === 'auto_approved' ? { autoApproved: t.reason } : {}) }));
    expect(nodeOf(answer, 'second')!.approvers).toEqual(actual);
  });

  it('shows initiator_select choices and delegations as the instance would get them', async () => {
    const code = uid('pv_select');
    await publishFlow(stack.api, chainFlow(code, [approval('pick', { approvers: { type: 'initiator_select' }, mode: 'sequential' })]));
    await delegate(stack.api, { delegatorId: 'u_away', delegateId: 'u_deputy', hoursAhead: 1, flowCodes: [code] });
    const answer = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 }, selectedApprovers: { pick: ['u_b', 'u_away'] } });
    expect(nodeOf(answer, 'pick')!.approvers).toEqual([{ userId: 'u_b' }, { userId: 'u_deputy', delegatedFrom: 'u_away' }]);
    // Nothing chosen: the preview shows the node as empty.
    const none = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(nodeOf(none, 'pick')).toMatchObject({ approvers: [], whenEmpty: 'reject' });
  });
});

describe('refusals', () => {
  let code: string;
  beforeAll(async () => {
    code = uid('pv_err');
    await publishFlow(stack.api, purchaseFlow(code));
  });

  it.each([
    ['a field of the wrong type', { initiatorId: 'u_init', form: { amount: 'lots' } }, 'form.amount'],
    ['a missing required field', { initiatorId: 'u_init', form: { title: 'x' } }, 'form.amount'],
    ['no initiatorId', { form: { amount: 1 } }, 'initiatorId'],
    ['no form', { initiatorId: 'u_init' }, 'form'],
    ['an unknown body field', { initiatorId: 'u_init', form: { amount: 1 }, businessKey: 'x' }, 'businessKey'],
  ])('400 for %s, naming the field', async (_what, body, field) => {
    const response = await preview(code, body);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain(field);
  });

  it('422 for an unknown initiator', async () => {
    const response = await preview(code, { initiatorId: 'u_stranger', form: { amount: 1 } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: { code: 'UNKNOWN_USER' } });
  });

  it('404 for an unknown flow, and for a flow with a draft but no published version', async () => {
    const unknown = await preview(uid('pv_missing'), { initiatorId: 'u_init', form: { amount: 1 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'FLOW_NOT_FOUND' } });
    const draftOnly = uid('pv_draft');
    await expectOk(stack.api.request('POST', '/api/v1/definitions', purchaseFlow(draftOnly)), 201);
    const unpublished = await preview(draftOnly, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(unpublished.status).toBe(404);
    expect(unpublished.body).toMatchObject({ error: { code: 'FLOW_NOT_FOUND' } });
  });

  it('is open to apps that may start instances, not to others', async () => {
    const starter = await stack.appWith(['start']);
    expect((await starter.request('POST', `/api/v1/definitions/${code}/preview`, { initiatorId: 'u_init', form: { amount: 1 } })).status).toBe(200);
    const syncer = await stack.appWith(['sync']);
    const refused = await syncer.request('POST', `/api/v1/definitions/${code}/preview`, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(refused.status).toBe(403);
  });
});

describe('a preview starts and changes nothing', () => {
  it('no instance, no notification, no version change; a later start gets the previewed version', async () => {
    const code = uid('pv_pure');
    await publishFlow(stack.api, purchaseFlow(code));
    const notificationsBefore = (await listNotifications(stack.database.db)).length;

    for (const amount of [1, 20000]) await previewOk(code, { initiatorId: 'u_init', form: { amount } });

    expect(await listNotifications(stack.database.db)).toHaveLength(notificationsBefore);
    const listed: string[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `ApprovalFlowCode = '${code}'` })) listed.push(wf.workflowId);
    expect(listed).toEqual([]);
    expect((await stack.api.request('GET', instancePath(`approval:${code}:${uid('BK')}`))).status).toBe(404);
    const definition = await expectOk<{ latestVersion: number; versions: unknown[] }>(stack.api.request('GET', `/api/v1/definitions/${code}`));
    expect(definition.latestVersion).toBe(1);

    const started = await start(stack.api, code, { initiatorId: 'u_init' });
    expect(started.flowVersion).toBe(1);
  });

  it('previews the latest published version, not an unpublished draft', async () => {
    const code = await publishOneNode(stack.api, 'pv_ver', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any' });
    const v2 = chainFlow(code, [approval('approve', { approvers: { type: 'users', ids: ['u_b'] }, mode: 'any' })]);
    await expectOk(stack.api.request('POST', '/api/v1/definitions', v2));
    const draftOnly = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(draftOnly.flowVersion).toBe(1);
    expect(nodeOf(draftOnly, 'approve')!.approvers).toEqual([{ userId: 'u_a' }]);

    await publishFlow(stack.api, v2);
    const published = await previewOk(code, { initiatorId: 'u_init', form: { amount: 1 } });
    expect(published.flowVersion).toBe(2);
    expect(nodeOf(published, 'approve')!.approvers).toEqual([{ userId: 'u_b' }]);
  });
});
