import type { DeadLetter, DeliveryLogEntry } from '../../db/webhooks';
import type { ReceivedEvent } from '../../sandbox/erp/sandbox-state';
import {
  actAs,
  approval,
  flowOf,
  operationRows,
  scheduledActivities,
  setUpErpWorld,
  startErpInstance,
  taskIdOf,
  type ErpApp,
  type ErpWorld,
} from '../support/erp-fixtures';
import { expectOk, hasPendingTasks, pollUntil, publishFlow, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/** SPEC §8 webhooks to an instance's callbackUrl: order, signatures, retries, dead letters and their replay. */

let stack: TestStack;
let world: ErpWorld;
/** start → first (u_a) → second (u_b) → end */
let flowCode: string;

beforeAll(async () => {
  stack = await startTestStack();
  world = await setUpErpWorld(stack);
  flowCode = uid('hook');
  await publishFlow(
    stack.api,
    flowOf(flowCode, [{ id: 'start', type: 'start', next: 'first' }, approval('first', ['u_a'], 'second'), approval('second', ['u_b'], 'end')]),
  );
});
afterAll(async () => {
  await world?.close();
  await stack?.stop();
});
beforeEach(() => world.sandbox.state.reset());

const eventIdOf = (instanceId: string, seq: number, type: string) => `${instanceId}:${seq}:approval.${type}`;
const eventsOf = (instanceId: string): ReceivedEvent[] => world.sandbox.state.events().filter((e) => e.body.instance.instanceId === instanceId);
const waitForEvent = (eventId: string) => world.sandbox.state.waitForEvent((e) => e.eventId === eventId, 15_000);

/** `?a=1&b=2` of the given entries, or '' for none (a bare `?` would not reach the server as signed). */
function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
  return params ? `?${params}` : '';
}

async function deliveries(client: ErpApp | TestStack['api'], query: { eventId?: string; instanceId?: string }): Promise<DeliveryLogEntry[]> {
  return (await expectOk<{ items: DeliveryLogEntry[] }>(client.request('GET', `/api/v1/webhooks/deliveries${queryString(query)}`))).items;
}
const attemptRows = (items: DeliveryLogEntry[]) => items.map((d) => [d.attempt, d.outcome, d.statusCode ?? null]);

async function deadLetters(client: ErpApp | TestStack['api'], query: { instanceId?: string; state?: 'dead' | 'replayed' | 'all' } = {}): Promise<DeadLetter[]> {
  return (await expectOk<{ items: DeadLetter[] }>(client.request('GET', `/api/v1/webhooks/dead-letters${queryString(query)}`))).items;
}
const replayPath = (id: string) => `/api/v1/webhooks/dead-letters/${id}/replay`;

describe('webhooks to the callbackUrl', () => {
  it('a 2-approver flow sends, in order and once each, task.created/completed for a and b, then approval.completed — signed, SPEC §8 shape', async () => {
    const { instanceId, businessKey, source, form } = await startErpInstance(world, flowCode);
    const first = await waitForView(stack.api, instanceId, hasPendingTasks);
    const taskA = taskIdOf(first, 'u_a');
    await waitForEvent(eventIdOf(instanceId, 1, 'task.created'));
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a', comment: '同意' }));
    const second = await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.assigneeId === 'u_b' && t.status === 'pending'));
    const taskB = taskIdOf(second, 'u_b');
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_b' }));
    await stack.temporal.workflow.getHandle(instanceId).result();

    const events = eventsOf(instanceId);
    expect(events.map((e) => e.eventId)).toEqual([
      eventIdOf(instanceId, 1, 'task.created'),
      eventIdOf(instanceId, 2, 'task.completed'),
      eventIdOf(instanceId, 3, 'task.created'),
      eventIdOf(instanceId, 4, 'task.completed'),
      eventIdOf(instanceId, 5, 'completed'),
    ]);
    // Received once each, signed by the app that started the instance, over the signed path with its query.
    for (const event of events) expect(event).toMatchObject({ deliveries: 1, appKey: world.erp.appKey, path: '/webhooks/approval?tenant=t1' });
    expect(world.sandbox.state.rejected()).toEqual([]);
    const receivedAt = events.map((e) => e.receivedAt);
    expect([...receivedAt].sort()).toEqual(receivedAt);

    const instance = (status: string) => ({ instanceId, flowCode, flowVersion: 1, businessKey, status, source, form });
    const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
    expect(events.map((e) => e.body)).toEqual([
      {
        eventId: eventIdOf(instanceId, 1, 'task.created'),
        type: 'approval.task.created',
        occurredAt: at,
        instance: instance('running'),
        task: { taskId: taskA, nodeId: 'first', assigneeId: 'u_a', status: 'pending' },
      },
      {
        eventId: eventIdOf(instanceId, 2, 'task.completed'),
        type: 'approval.task.completed',
        occurredAt: at,
        instance: instance('running'),
        task: { taskId: taskA, nodeId: 'first', assigneeId: 'u_a', status: 'approved', comment: '同意' },
      },
      {
        eventId: eventIdOf(instanceId, 3, 'task.created'),
        type: 'approval.task.created',
        occurredAt: at,
        instance: instance('running'),
        task: { taskId: taskB, nodeId: 'second', assigneeId: 'u_b', status: 'pending' },
      },
      {
        eventId: eventIdOf(instanceId, 4, 'task.completed'),
        type: 'approval.task.completed',
        occurredAt: at,
        instance: instance('approved'),
        task: { taskId: taskB, nodeId: 'second', assigneeId: 'u_b', status: 'approved' },
      },
      {
        eventId: eventIdOf(instanceId, 5, 'completed'),
        type: 'approval.completed',
        occurredAt: at,
        instance: instance('approved'),
        trail: [
          { nodeId: 'first', actorId: 'u_a', action: 'approved', at, comment: '同意' },
          { nodeId: 'second', actorId: 'u_b', action: 'approved', at },
        ],
      },
    ]);
    const occurredAt = events.map((e) => e.body.occurredAt);
    expect([...occurredAt].sort()).toEqual(occurredAt);

    // The delivery log: one delivered attempt per event; one activity per event.
    expect((await deliveries(stack.api, { instanceId })).map((d) => [d.eventId, d.attempt, d.outcome, d.statusCode])).toEqual(
      events.map((e) => [e.eventId, 1, 'delivered', 200]),
    );
    expect(await scheduledActivities(stack, instanceId, 'deliverWebhook')).toBe(5);
    expect(await deadLetters(stack.api, { instanceId, state: 'all' })).toEqual([]);
  });

  it('a webhook that fails twice (503) is retried and received exactly once; the delivery log shows 1, 2 retrying and 3 delivered', async () => {
    world.sandbox.state.setFailure({ target: 'webhooks', mode: '5xx', times: 2 });
    const { instanceId } = await startErpInstance(world, flowCode);
    const eventId = eventIdOf(instanceId, 1, 'task.created');
    const received = await waitForEvent(eventId);
    expect(received.deliveries).toBe(1);
    expect(world.sandbox.state.failures().webhooks).toMatchObject({ mode: 'ok', failedRequests: 2 });

    const log = await pollUntil(
      'three attempts logged',
      () => deliveries(stack.api, { eventId }),
      (items) => items.length >= 3,
    );
    expect(attemptRows(log)).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'delivered', 200],
    ]);
    expect(log[0]!.error).toContain('503');
    expect(
      log.every((d) => d.eventId === eventId && d.instanceId === instanceId && d.url === world.callbackUrl && d.eventType === 'approval.task.created'),
    ).toBe(true);
    expect(eventsOf(instanceId).filter((e) => e.eventId === eventId)).toHaveLength(1);
    expect(await deadLetters(stack.api, { instanceId, state: 'all' })).toEqual([]);
  });

  it('408 and 429 are retried; a 422 is final (one attempt, dead-lettered with its status) and the later events still go out in order', async () => {
    world.sandbox.state.setFailure({ target: 'webhooks', mode: '408', times: 1 });
    const { instanceId } = await startErpInstance(world, flowCode);
    await waitForEvent(eventIdOf(instanceId, 1, 'task.created'));

    world.sandbox.state.setFailure({ target: 'webhooks', mode: '429', times: 1 });
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a' }));
    await waitForEvent(eventIdOf(instanceId, 3, 'task.created'));

    world.sandbox.state.setFailure({ target: 'webhooks', mode: '4xx', times: 1 });
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_b' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
    await waitForEvent(eventIdOf(instanceId, 5, 'completed'));

    const rejectedId = eventIdOf(instanceId, 4, 'task.completed');
    expect(attemptRows(await deliveries(stack.api, { eventId: eventIdOf(instanceId, 1, 'task.created') }))).toEqual([
      [1, 'retrying', 408],
      [2, 'delivered', 200],
    ]);
    expect(attemptRows(await deliveries(stack.api, { eventId: eventIdOf(instanceId, 2, 'task.completed') }))).toEqual([
      [1, 'retrying', 429],
      [2, 'delivered', 200],
    ]);
    expect(attemptRows(await deliveries(stack.api, { eventId: rejectedId }))).toEqual([[1, 'rejected', 422]]);
    expect(world.sandbox.state.failures().webhooks.failedRequests).toBe(3);

    // The receiver got everything but the refused event, in order, once each.
    expect(eventsOf(instanceId).map((e) => [e.eventId, e.deliveries])).toEqual([
      [eventIdOf(instanceId, 1, 'task.created'), 1],
      [eventIdOf(instanceId, 2, 'task.completed'), 1],
      [eventIdOf(instanceId, 3, 'task.created'), 1],
      [eventIdOf(instanceId, 5, 'completed'), 1],
    ]);

    const dead = await deadLetters(stack.api, { instanceId });
    expect(dead).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        eventId: rejectedId,
        eventType: 'approval.task.completed',
        instanceId,
        url: world.callbackUrl,
        lastError: expect.stringContaining('422'),
        lastStatusCode: 422,
        deadAt: expect.any(String),
        replayAttempts: 0,
        event: expect.objectContaining({
          eventId: rejectedId,
          type: 'approval.task.completed',
          task: expect.objectContaining({ assigneeId: 'u_b', status: 'approved' }),
        }),
      },
    ]);
    // Listed as dead, in the unfiltered list too, and to the app that started the instance.
    expect((await deadLetters(stack.api)).map((d) => d.eventId)).toContain(rejectedId);
    expect((await deadLetters(world.erp, { instanceId })).map((d) => d.eventId)).toEqual([rejectedId]);
  });

  it('retries exhausted → dead letter; replay: 502 while failing (still dead), 200 once fixed, then 409; other apps see nothing (404); bad id 400, unknown 404', async () => {
    world.sandbox.state.setFailure({ target: 'webhooks', mode: '5xx' });
    const { instanceId } = await startErpInstance(world, flowCode);
    const eventId = eventIdOf(instanceId, 1, 'task.created');
    const [letter] = await pollUntil(
      'the dead letter',
      () => deadLetters(stack.api, { instanceId }),
      (items) => items.length > 0,
      20_000,
    );
    expect(letter).toMatchObject({ eventId, eventType: 'approval.task.created', instanceId, url: world.callbackUrl, lastStatusCode: 503, replayAttempts: 0 });
    expect(letter!.replayedAt).toBeUndefined();
    expect(attemptRows(await deliveries(stack.api, { eventId }))).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'retrying', 503],
      [4, 'retrying', 503],
    ]);
    expect(world.sandbox.state.failures().webhooks.failedRequests).toBe(4);
    expect(eventsOf(instanceId)).toEqual([]);
    const id = letter!.id;

    // An app without admin that did not start the instance: sees nothing, cannot replay.
    const stranger = await stack.appWith(['start', 'act_for']);
    expect(await deadLetters(stranger, { state: 'all' })).toEqual([]);
    expect(await deadLetters(stranger, { instanceId, state: 'all' })).toEqual([]);
    expect(await deliveries(stranger, { instanceId })).toEqual([]);
    const foreign = await stranger.request('POST', replayPath(id));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: { code: 'DEAD_LETTER_NOT_FOUND' } });
    // The app that started it (no admin either) sees its own.
    expect((await deadLetters(world.erp, { instanceId })).map((d) => d.id)).toEqual([id]);

    // Replay while the receiver still fails: 502, still dead, the attempt counted.
    const failed = await stack.api.request('POST', replayPath(id));
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: { code: 'REPLAY_FAILED', details: { statusCode: 503, deadLetter: { id, replayAttempts: 1 } } } });
    expect((await deadLetters(stack.api, { instanceId })).map((d) => [d.id, d.replayAttempts, d.replayedAt ?? null])).toEqual([[id, 1, null]]);
    expect(eventsOf(instanceId)).toEqual([]);

    world.sandbox.state.setFailure({ target: 'webhooks', mode: 'ok' });
    const replayed = await stack.api.request<{ delivered: boolean; statusCode: number; deadLetter: DeadLetter }>('POST', replayPath(id));
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ delivered: true, statusCode: 200, deadLetter: { id, eventId, replayAttempts: 2, replayedAt: expect.any(String) } });
    expect(eventsOf(instanceId).map((e) => [e.eventId, e.deliveries, e.path])).toEqual([[eventId, 1, '/webhooks/approval?tenant=t1']]);
    expect(world.sandbox.state.rejected()).toEqual([]);

    expect(await deadLetters(stack.api, { instanceId })).toEqual([]);
    expect((await deadLetters(stack.api, { instanceId, state: 'replayed' })).map((d) => [d.id, d.replayedAt])).toEqual([
      [id, replayed.body.deadLetter.replayedAt],
    ]);
    expect((await deadLetters(stack.api, { state: 'replayed' })).map((d) => d.id)).toContain(id);
    expect((await deadLetters(stack.api)).map((d) => d.id)).not.toContain(id);

    const again = await stack.api.request('POST', replayPath(id));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'ALREADY_REPLAYED' } });
    expect(eventsOf(instanceId).map((e) => e.deliveries)).toEqual([1]);
    expect(attemptRows(await deliveries(stack.api, { eventId })).slice(4)).toEqual([
      [0, 'retrying', 503],
      [0, 'delivered', 200],
    ]);

    const badId = await stack.api.request('POST', replayPath('abc'));
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const unknown = await stack.api.request('POST', replayPath('999999999'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'DEAD_LETTER_NOT_FOUND' } });

    // The instance goes on, and so do its webhooks.
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a' }));
    await waitForEvent(eventIdOf(instanceId, 3, 'task.created'));
    expect(eventsOf(instanceId).map((e) => e.eventId)).toEqual([eventId, eventIdOf(instanceId, 2, 'task.completed'), eventIdOf(instanceId, 3, 'task.created')]);
    await expectOk(actAs(world, instanceId, { type: 'withdraw', actorId: 'u_initiator' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
  });

  it('an instance without callbackUrl sends no webhooks', async () => {
    const { instanceId } = await startErpInstance(world, flowCode, { callback: false });
    await waitForView(stack.api, instanceId, hasPendingTasks);
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_a' }));
    await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.assigneeId === 'u_b' && t.status === 'pending'));
    await expectOk(actAs(world, instanceId, { type: 'approve', actorId: 'u_b' }));
    await stack.temporal.workflow.getHandle(instanceId).result();

    // The ERP was reachable: the write-back went out.
    expect(operationRows(world, instanceId)).toEqual([['write_back', `${instanceId}:write_back`]]);
    expect(eventsOf(instanceId)).toEqual([]);
    expect(world.sandbox.state.events()).toEqual([]);
    expect(await deliveries(stack.api, { instanceId })).toEqual([]);
    expect(await deadLetters(stack.api, { instanceId, state: 'all' })).toEqual([]);
    expect(await scheduledActivities(stack, instanceId, 'deliverWebhook')).toBe(0);
  });
});
