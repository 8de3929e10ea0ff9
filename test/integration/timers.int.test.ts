import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listNotifications } from '../../db/notifications';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { expectOk, HOUR, instancePath, pollUntil, publishFlow, startBody, uid, waitForView } from '../support/fixtures';
import { recordedApproval as approval, recordedFlow as flow, recordHistory, recordingOrg } from '../support/recorded-histories';
import { startTestStack, type TestStack } from '../support/test-stack';
import { startTimeSkippingServer } from '../support/time-skipping';

/**
 * SPEC §5 timers as they are configured in production — hours and days — on Temporal's
 * time-skipping test server: the test moves the server's clock (`env.sleep`) and the workflow's
 * durable timers fire as they would have after that long. Each scenario is also recorded for replay.
 */

let env: TestWorkflowEnvironment;
let stack: TestStack;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  stack = await startTestStack({ temporal: env });
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: recordingOrg }));
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

async function startFlow(definition: FlowDefinition): Promise<InstanceView> {
  await publishFlow(stack.api, definition);
  const body = { ...startBody(definition.code, uid('BK'), { amount: 100 }), initiatorId: 'r_initiator' };
  const { instanceId } = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', body), 201);
  return waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.status === 'pending'));
}

const act = (instanceId: string, body: Record<string, unknown>) =>
  expectOk<InstanceView>(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { actionId: uid('act'), ...body }));

/** The server's clock moves on; the timers due meanwhile fire, and the workflow handles them (the test polls for what they did). */
const hoursPass = (hours: number) => env.sleep(hours * HOUR);

const viewOf = (instanceId: string) => expectOk<InstanceView>(stack.api.request('GET', instancePath(instanceId)));
const sent = async (instanceId: string) => (await listNotifications(stack.database.db, { instanceId })).map((n) => [n.kind, n.recipientId]);
const pendingOf = (view: InstanceView) => view.tasks.filter((t) => t.status === 'pending').map((t) => t.assigneeId);
const elapsedHours = (from: string, to: string | undefined) => (Date.parse(to!) - Date.parse(from)) / HOUR;

describe('timers on the time-skipping server', () => {
  it('reminds after 24 h, again every 24 h, and approves by itself at 72 h', async () => {
    const started = await startFlow(
      flow('ts_remind', [
        approval('slow', ['r_a'], 'any', 'end', { timeout: { remindAfter: 'PT24H', remindEvery: 'PT24H', actAfter: 'PT72H', action: 'approve' } }),
      ]),
    );
    const id = started.instanceId;
    await hoursPass(23);
    expect(await sent(id)).toEqual([]);
    await hoursPass(2);
    await waitForReminders(id, 1);
    await hoursPass(24);
    await waitForReminders(id, 2);
    await hoursPass(24);
    const view = await waitForView(stack.api, id, (v) => v.status !== 'running');
    expect(view.status).toBe('approved');
    const task = view.tasks[0]!;
    expect(task).toMatchObject({ assigneeId: 'r_a', status: 'auto_approved', reason: 'timeout' });
    // The timer fires at the deadline; the workflow task that handles it is a few milliseconds later.
    expect(elapsedHours(task.createdAt, task.completedAt)).toBeGreaterThanOrEqual(72);
    expect(elapsedHours(task.createdAt, task.completedAt)).toBeLessThan(72.01);
    expect(await sent(id)).toEqual([
      ['reminder', 'r_a'],
      ['reminder', 'r_a'],
      ['reminder', 'r_a'],
    ]);
    await recordHistory(stack.temporal, 'timer-remind-then-auto-approve', id);
  });

  it('escalates after 8 h to the assignee’s manager, whose task reminds but never escalates again', async () => {
    const started = await startFlow(
      flow('ts_escalate', [approval('slow', ['r_a'], 'any', 'end', { timeout: { remindAfter: 'PT4H', actAfter: 'PT8H', action: 'escalate' } })]),
    );
    const id = started.instanceId;
    await hoursPass(9);
    const escalated = await waitForView(stack.api, id, (v) => pendingOf(v).includes('r_boss'));
    expect(escalated.tasks.find((t) => t.assigneeId === 'r_a')).toMatchObject({ status: 'transferred', reason: 'escalated' });
    const successor = escalated.tasks.find((t) => t.assigneeId === 'r_boss')!;
    expect(successor.actAt).toBeUndefined();
    await hoursPass(30);
    await waitForReminders(id, 2);
    expect(pendingOf(await viewOf(id))).toEqual(['r_boss']);
    expect(await sent(id)).toEqual([
      ['reminder', 'r_a'],
      ['escalated', 'r_boss'],
      ['reminder', 'r_boss'],
    ]);
    await act(id, { type: 'approve', actorId: 'r_boss' });
    await recordHistory(stack.temporal, 'timer-escalate', id);
  });

  it('a node re-entered after a return starts its clock again; the deadline of the returned task never fires', async () => {
    const definition = flow('ts_rearm', [
      approval('first', ['r_a'], 'any', 'second'),
      approval('second', ['r_b'], 'any', 'end', { timeout: { actAfter: 'PT48H', action: 'approve' } }),
    ]);
    const id = (await startFlow(definition)).instanceId;
    await act(id, { type: 'approve', actorId: 'r_a' });
    await waitForView(stack.api, id, (v) => pendingOf(v).includes('r_b'));
    await hoursPass(24);
    await act(id, { type: 'return', actorId: 'r_b', targetNodeId: 'first' });
    // Past the returned task's deadline: nothing fires.
    await hoursPass(30);
    const returned = await viewOf(id);
    expect(returned.status).toBe('running');
    expect(pendingOf(returned)).toEqual(['r_a']);
    await act(id, { type: 'approve', actorId: 'r_a' });
    const reentered = await waitForView(stack.api, id, (v) => pendingOf(v).includes('r_b'));
    const task = reentered.tasks.find((t) => t.assigneeId === 'r_b' && t.status === 'pending')!;
    expect(elapsedHours(task.createdAt, task.actAt)).toBe(48);
    await hoursPass(47);
    expect((await viewOf(id)).status).toBe('running');
    await hoursPass(2);
    const view = await waitForView(stack.api, id, (v) => v.status !== 'running');
    expect(view.status).toBe('approved');
    expect(view.tasks.filter((t) => t.assigneeId === 'r_b').map((t) => [t.status, t.reason])).toEqual([
      ['returned', undefined],
      ['auto_approved', 'timeout'],
    ]);
    await recordHistory(stack.temporal, 'timer-rearmed-after-return', id);
  });
});

function waitForReminders(instanceId: string, count: number) {
  return pollUntil(
    `${count} reminders of ${instanceId}`,
    () => sent(instanceId),
    (rows) => rows.filter(([kind]) => kind === 'reminder').length >= count,
    10_000,
  );
}
