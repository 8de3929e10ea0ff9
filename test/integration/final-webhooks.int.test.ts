import { randomBytes } from 'node:crypto';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';
import { approval, flowOf, setUpErpWorld, startErpInstance, type ErpWorld } from '../support/erp-fixtures';
import { fakeDingTalkConfig } from '../support/fake-dingtalk-config';
import { fakeOrgOf, syncPeople, type DingTalkPerson } from '../support/dingtalk-people';
import { recordHistory } from '../support/recorded-histories';
import { expectOk, instancePath, pollUntil, publishFlow, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The end of a run: the last webhooks go out while DingTalk reports on the last notices. Found by
 * the fault suite (scenario d): the initiator's result notice failed (no DingTalk account) while
 * the receiver was slow with `approval.task.completed`; the report changed the instance, the
 * outbox waited for the projection to show it, and the run, waiting for the outbox alone, never
 * wrote it: `approval.completed` was never sent and the workflow never closed.
 */

const APP = { appKey: 'ding-final-app', appSecret: randomBytes(8).toString('hex'), agentId: 4545, corpId: 'ding-final-corp' };
const TEMPLATE = 'approval_card.schema';
const people: DingTalkPerson[] = [{ id: 'u_one', name: '一号审批人', dingtalk: 'dt_one', union: 'un_one' }];

let stack: TestStack;
let world: ErpWorld;
let fake: RunningFakeDingTalk;

beforeAll(async () => {
  fake = await startFakeDingTalk({ apps: [APP], cardTemplateIds: [TEMPLATE], org: fakeOrgOf(people) });
  stack = await startTestStack({ dingtalk: fakeDingTalkConfig(fake, APP, TEMPLATE, 'http') });
  world = await setUpErpWorld(stack);
  await syncPeople(stack.api, people);
});
afterAll(async () => {
  await world?.close();
  await stack?.stop();
  await fake?.close();
});

it('a DingTalk report while the last webhooks are on their way is projected, and the webhooks and the run finish', async () => {
  const flowCode = uid('final');
  await publishFlow(stack.api, flowOf(flowCode, [{ id: 'start', type: 'start', next: 'mgr' }, approval('mgr', ['u_one'], 'end')]));
  // u_initiator (the ERP fixtures' initiator) has no DingTalk account: the result notice fails, and says so.
  const { instanceId } = await startErpInstance(world, flowCode);
  await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.status === 'pending'));
  await pollUntil(
    'the task.created webhook',
    async () => world.sandbox.state.events().filter((e) => e.body.instance.instanceId === instanceId).length,
    (n) => n === 1,
  );
  world.sandbox.state.setFailure({ target: 'webhooks', mode: 'slow', delayMs: 3_000, times: 1 });

  const approved = await expectOk<InstanceView>(
    world.erp.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actorId: 'u_one', actionId: uid('act') }),
  );
  expect(approved.status).toBe('approved');

  const handle = stack.temporal.workflow.getHandle(instanceId);
  await pollUntil(
    'the workflow closed',
    async () => (await handle.describe()).status.name,
    (status) => status !== 'RUNNING',
    30_000,
  );
  expect(((await handle.result()) as InstanceView).status).toBe('approved');
  const received = world.sandbox.state
    .events()
    .filter((e) => e.body.instance.instanceId === instanceId)
    .map((e) => e.type);
  expect(received).toEqual(['approval.task.created', 'approval.task.completed', 'approval.completed']);
  const timeline = await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`));
  expect(timeline.events.filter((e) => e.type === 'notice_failed').map((e) => e.data?.userId)).toEqual(['u_initiator']);
  await recordHistory(stack.temporal, 'final-webhooks-report-while-sending', instanceId);
}, 60_000);
