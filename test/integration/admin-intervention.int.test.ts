import { randomBytes } from 'node:crypto';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';
import { searchAttributes } from '../../temporal-config';
import { approval, flowOf, service, setUpErpWorld, startErpInstance, statusAttribute, type ErpWorld } from '../support/erp-fixtures';
import { fakeDingTalkConfig } from '../support/fake-dingtalk-config';
import { fakeOrgOf, syncPeople, type DingTalkPerson } from '../support/dingtalk-people';
import { recordHistory } from '../support/recorded-histories';
import { expectOk, instancePath, pollUntil, publishFlow, uid, waitForSearchAttributes, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';
import { logInAs, type UserClient } from '../support/user-sessions';

/**
 * 强制终止 and 修改审批人 (seed 001 §7.2, SPEC §6) on the real stack: who may, what it changes
 * (tasks, compensations, webhooks, cards, todos, search attributes, the timeline), that a
 * repeat does nothing twice and that a refusal leaves nothing behind.
 */

const APP = { appKey: 'ding-admin-app', appSecret: randomBytes(8).toString('hex'), agentId: 4343, corpId: 'ding-admin-corp' };
const TEMPLATE = 'approval_card.schema';
const people: DingTalkPerson[] = [
  { id: 'u_one', name: '一号审批人', dingtalk: 'dt_one', union: 'un_one' },
  { id: 'u_two', name: '二号审批人', dingtalk: 'dt_two', union: 'un_two' },
  { id: 'u_nine', name: '九号审批人', dingtalk: 'dt_nine', union: 'un_nine' },
  { id: 'u_flow_admin', name: '流程管理员' },
  { id: 'u_boss', name: '审批管理员', roles: ['approval_admin'] },
  { id: 'u_stranger', name: '路人' },
];

let stack: TestStack;
let world: ErpWorld;
let fake: RunningFakeDingTalk;
let flowCode: string;
const sessions: Record<string, UserClient> = {};

beforeAll(async () => {
  fake = await startFakeDingTalk({
    apps: [APP],
    cardTemplateIds: [TEMPLATE],
    org: fakeOrgOf(people),
  });
  stack = await startTestStack({ dingtalk: fakeDingTalkConfig(fake, APP, TEMPLATE, 'http'), devLogin: true });
  world = await setUpErpWorld(stack);
  await syncPeople(stack.api, people);
  // start → reserve (a service node: its budget reservation must be released by a termination) → mgr (u_one or u_two) → end
  flowCode = uid('admin');
  await publishFlow(stack.api, {
    ...flowOf(flowCode, [{ id: 'start', type: 'start', next: 'reserve' }, service('reserve', world.system, 'mgr'), approval('mgr', ['u_one', 'u_two'], 'end')]),
    admins: ['u_flow_admin'],
  });
  for (const id of ['u_one', 'u_flow_admin', 'u_boss', 'u_stranger']) sessions[id] = await logInAs(stack, id);
});
afterAll(async () => {
  await world?.close();
  await stack?.stop();
  await fake?.close();
});

const terminatePath = (instanceId: string) => `${instancePath(instanceId)}/terminate`;
const reassignPath = (instanceId: string) => `${instancePath(instanceId)}/reassign`;
const timeline = async (instanceId: string) => (await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`))).events;
/** The updates of this name that the workflow accepted (a refused one leaves none). */
async function acceptedUpdates(instanceId: string, name: string): Promise<number> {
  const history = await stack.temporal.workflow.getHandle(instanceId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name).length;
}
const errorOf = (answer: { status: number; body: unknown }) => [answer.status, (answer.body as { error?: { code: string } }).error?.code];

async function startedAtManager(): Promise<{ instanceId: string; businessKey: string; view: InstanceView }> {
  const { instanceId, businessKey } = await startErpInstance(world, flowCode, { amount: 700 });
  const view = await waitForView(stack.api, instanceId, (v) => v.tasks.filter((t) => t.status === 'pending').length === 2);
  return { instanceId, businessKey, view };
}

function cardParams(instanceId: string, taskId: string, userId: string): Record<string, string> | undefined {
  const card = fake.state.cards.get(outTrackIdOf(instanceId, taskId));
  return card ? fake.state.paramsFor(card, userId) : undefined;
}

async function waitForCards(instanceId: string, tasks: Array<{ taskId: string; dingtalk: string }>, done: (params: Record<string, string>) => boolean) {
  await pollUntil(
    `the cards of ${tasks.map((t) => t.taskId).join(', ')}`,
    async () => tasks.map((t) => cardParams(instanceId, t.taskId, t.dingtalk)),
    (all) => all.every((params) => params !== undefined && done(params)),
  );
}

describe('terminate (强制终止)', () => {
  it('only an admin may; bad input and refusals change nothing', async () => {
    const { instanceId } = await startedAtManager();
    const body = { requestId: uid('req'), reason: '重复提交' };

    expect(errorOf(await world.erp.request('POST', terminatePath(instanceId), body))).toEqual([403, 'PERMISSION_DENIED']);
    expect(errorOf(await sessions.u_one!.request('POST', terminatePath(instanceId), body))).toEqual([403, 'NOT_FLOW_ADMIN']);
    expect(errorOf(await sessions.u_stranger!.request('POST', terminatePath(instanceId), body))).toEqual([404, 'INSTANCE_NOT_FOUND']);
    expect(errorOf(await sessions.u_flow_admin!.request('POST', terminatePath(instanceId), { ...body, actorId: 'u_boss' }))).toEqual([403, 'ACTOR_MISMATCH']);
    expect(errorOf(await stack.api.request('POST', terminatePath(instanceId), { requestId: body.requestId }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(errorOf(await stack.api.request('POST', terminatePath(instanceId), { ...body, reason: ' ' }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(errorOf(await stack.api.request('POST', terminatePath(instanceId), { ...body, reason: 'x'.repeat(501) }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(errorOf(await stack.api.request('POST', terminatePath(instanceId), { ...body, actorId: 'u_nobody' }))).toEqual([422, 'UNKNOWN_USER']);
    expect(errorOf(await stack.api.request('POST', terminatePath('approval:no_such_flow:x'), body))).toEqual([404, 'INSTANCE_NOT_FOUND']);

    expect(await acceptedUpdates(instanceId, 'terminate')).toBe(0);
    expect((await timeline(instanceId)).some((e) => e.type === 'terminated')).toBe(false);
    expect((await waitForView(stack.api, instanceId, () => true)).status).toBe('running');
  });

  it('a flow admin ends it: tasks cancelled, budget released, the ERP told, cards and todos closed, status terminated; a repeat does nothing twice', async () => {
    const { instanceId, businessKey, view } = await startedAtManager();
    const pending = view.tasks.filter((t) => t.status === 'pending');
    const dingtalkOf = (assigneeId: string) => people.find((p) => p.id === assigneeId)!.dingtalk!;
    await waitForCards(
      instanceId,
      pending.map((t) => ({ taskId: t.taskId, dingtalk: dingtalkOf(t.assigneeId) })),
      (p) => p.actionable === 'true',
    );
    const request = { requestId: uid('req'), reason: '供应商已列入黑名单' };

    const ended = await expectOk<InstanceView>(sessions.u_flow_admin!.request('POST', terminatePath(instanceId), request));
    expect(ended.status).toBe('terminated');
    expect(ended.tasks.filter((t) => t.nodeId === 'mgr').map((t) => t.status)).toEqual(['cancelled', 'cancelled']);

    const events = await timeline(instanceId);
    expect(events.filter((e) => e.type === 'terminated')).toEqual([
      expect.objectContaining({ actorId: 'u_flow_admin', data: { requestId: request.requestId, reason: request.reason } }),
    ]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['compensation_started', 'compensated', 'instance_completed']));
    expect(
      world.sandbox.state
        .budget()
        .reservations.filter((r) => r.businessKey === businessKey)
        .map((r) => r.status),
    ).toEqual(['released']);

    const completed = await pollUntil(
      'the approval.completed webhook',
      async () => world.sandbox.state.events().filter((e) => e.body.instance.instanceId === instanceId && e.type === 'approval.completed'),
      (found) => found.length > 0,
    );
    expect(completed.map((e) => e.body.instance.status)).toEqual(['terminated']);
    await waitForCards(
      instanceId,
      pending.map((t) => ({ taskId: t.taskId, dingtalk: dingtalkOf(t.assigneeId) })),
      (p) => p.actionable === 'false',
    );
    for (const task of pending) {
      const union = people.find((p) => p.id === task.assigneeId)!.union!;
      await pollUntil(
        `the todo of ${task.taskId} done`,
        async () => fake.state.todosOf(union).filter((t) => t.sourceId === outTrackIdOf(instanceId, task.taskId)),
        (todos) => todos.length === 1 && todos[0]!.done,
      );
    }
    expect(await statusAttribute(stack, instanceId)).toBe('terminated');

    // The same request again (the workflow has closed): the same answer, nothing done twice. Another one: refused.
    const again = await expectOk<InstanceView>(sessions.u_flow_admin!.request('POST', terminatePath(instanceId), request));
    expect(again.status).toBe('terminated');
    expect((await timeline(instanceId)).filter((e) => e.type === 'terminated')).toHaveLength(1);
    expect(errorOf(await stack.api.request('POST', terminatePath(instanceId), { requestId: uid('req'), reason: 'again' }))).toEqual([
      409,
      'INSTANCE_NOT_RUNNING',
    ]);
    expect(
      world.sandbox.state.operations().filter((o) => o.operation === 'release_budget' && o.idempotencyKey === `${instanceId}:reserve:compensate`),
    ).toHaveLength(1);
    await recordHistory(stack.temporal, 'admin-terminate-with-compensation', instanceId);
  }, 90_000);
});

describe('reassign (修改审批人)', () => {
  it('an admin app moves a pending task: the old card closes, the new assignee gets one, the timeline says who and why', async () => {
    const { instanceId, view } = await startedAtManager();
    const task = view.tasks.find((t) => t.assigneeId === 'u_one' && t.status === 'pending')!;
    const request = { requestId: uid('req'), taskId: task.taskId, toUserId: 'u_nine', reason: '一号审批人休假' };

    const moved = await expectOk<InstanceView>(stack.api.request('POST', reassignPath(instanceId), request));
    expect(moved.tasks.find((t) => t.taskId === task.taskId)?.status).toBe('transferred');
    const successor = moved.tasks.find((t) => t.assigneeId === 'u_nine')!;
    expect(successor).toMatchObject({ status: 'pending', nodeId: 'mgr' });
    expect((await timeline(instanceId)).filter((e) => e.type === 'reassigned')).toEqual([
      expect.objectContaining({
        actorId: `app:${stack.appKey}`,
        taskId: task.taskId,
        data: { requestId: request.requestId, reason: request.reason, fromUserId: 'u_one', toUserId: 'u_nine' },
      }),
    ]);
    await waitForCards(instanceId, [{ taskId: task.taskId, dingtalk: 'dt_one' }], (p) => p.actionable === 'false');
    await waitForCards(instanceId, [{ taskId: successor.taskId, dingtalk: 'dt_nine' }], (p) => p.actionable === 'true');
    const attributes = await waitForSearchAttributes(stack.temporal, instanceId, (a) => (a.get(searchAttributes.assignees) ?? []).includes('u_nine'));
    expect([...(attributes.get(searchAttributes.assignees) ?? [])].sort()).toEqual(['u_nine', 'u_two']);

    // A repeat answers again and moves nothing; the old task cannot be moved again.
    await expectOk(stack.api.request('POST', reassignPath(instanceId), request));
    expect((await timeline(instanceId)).filter((e) => e.type === 'reassigned')).toHaveLength(1);
    const refused = [
      await stack.api.request('POST', reassignPath(instanceId), { ...request, requestId: uid('req') }),
      await stack.api.request('POST', reassignPath(instanceId), { ...request, requestId: uid('req'), taskId: successor.taskId, toUserId: 'u_two' }),
      await stack.api.request('POST', reassignPath(instanceId), { ...request, requestId: uid('req'), taskId: successor.taskId, toUserId: 'u_nine' }),
      await stack.api.request('POST', reassignPath(instanceId), { ...request, requestId: uid('req'), taskId: 'mgr.99' }),
      await stack.api.request('POST', reassignPath(instanceId), { ...request, requestId: uid('req'), toUserId: 'u_nobody' }),
      await stack.api.request('POST', reassignPath(instanceId), { requestId: uid('req'), taskId: successor.taskId, toUserId: 'u_one' }),
    ];
    expect(refused.map(errorOf)).toEqual([
      [409, 'TASK_NOT_PENDING'],
      [422, 'ALREADY_ASSIGNEE'],
      [422, 'TRANSFER_TO_SELF'],
      [404, 'TASK_NOT_FOUND'],
      [422, 'UNKNOWN_USER'],
      [400, 'VALIDATION_FAILED'],
    ]);
    expect(await acceptedUpdates(instanceId, 'reassign')).toBe(1);

    // An approval admin (by role) moves it back with their session; the new assignee then decides as any would.
    await expectOk(
      sessions.u_boss!.request('POST', reassignPath(instanceId), { requestId: uid('req'), taskId: successor.taskId, toUserId: 'u_one', reason: '已回岗' }),
    );
    const back = await expectOk<InstanceView>(
      world.erp.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actorId: 'u_one', actionId: uid('act') }),
    );
    expect(back.status).toBe('approved');
    expect(errorOf(await sessions.u_one!.request('POST', reassignPath(instanceId), { ...request, requestId: uid('req') }))).toEqual([403, 'NOT_FLOW_ADMIN']);
    await recordHistory(stack.temporal, 'admin-reassign-twice-then-approved', instanceId);
  }, 90_000);
});
