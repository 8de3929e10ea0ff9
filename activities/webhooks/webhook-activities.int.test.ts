import { MockActivityEnvironment } from '@temporalio/testing';
import { upsertApp } from '../../db/apps';
import { listDeadLetters, listWebhookAttempts } from '../../db/webhooks';
import type { WebhookEvent } from '../../engine/webhook-events';
import type { WebhookDelivery } from '../../integrations/webhooks/send-webhook';
import { startErpSandbox, type RunningErpSandbox } from '../../sandbox/erp/erp-sandbox';
import { activityFailure } from '../../test/support/activity-failure';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createWebhookActivities } from './webhook-activities';

const APP = { key: 'erp-app', secret: 'erp-app-secret' };

let db: TestDatabase;
let sandbox: RunningErpSandbox;
let activities: ReturnType<typeof createWebhookActivities>;

beforeAll(async () => {
  db = await createTestDatabase();
  await upsertApp(db.database.db, db.secretBox, { key: APP.key, name: 'ERP', secret: APP.secret, permissions: ['start'] });
  sandbox = await startErpSandbox({ webhookApps: { [APP.key]: APP.secret } });
  activities = createWebhookActivities(db.database.db, db.secretBox);
});
afterAll(async () => {
  await sandbox?.close();
  await db?.drop();
});
beforeEach(() => sandbox.state.reset());

function delivery(seq: number, appKey = APP.key): WebhookDelivery {
  const instanceId = 'approval:po:PO-1';
  const event: WebhookEvent = {
    eventId: `${instanceId}:${seq}:approval.completed`,
    type: 'approval.completed',
    occurredAt: '2026-12-01T08:00:00.000Z',
    instance: {
      instanceId,
      flowCode: 'po',
      flowVersion: 1,
      businessKey: 'PO-1',
      status: 'approved',
      source: { system: 'erp', type: 'po', id: 'PO-1' },
      form: { amount: 5 },
    },
    trail: [{ nodeId: 'mgr', actorId: 'u_a', action: 'approved', at: '2026-12-01T07:59:00.000Z' }],
  };
  return { url: `${sandbox.url}/webhooks/approval?tenant=t1`, appKey, event };
}

const attemptsOf = async (eventId: string) => (await listWebhookAttempts(db.database.db, { eventId }, 10)).map((a) => [a.attempt, a.outcome, a.statusCode]);

describe('deliverWebhook (activity)', () => {
  it('posts the event signed with the starting app’s secret; the receiver verifies it; the attempt is logged with its number', async () => {
    const sent = delivery(1);
    expect(await new MockActivityEnvironment({ attempt: 3 }).run(activities.deliverWebhook, sent)).toEqual({ statusCode: 200 });
    expect(sandbox.state.events().map((e) => [e.body.eventId, e.appKey])).toEqual([[sent.event.eventId, APP.key]]);
    expect(sandbox.state.rejected()).toEqual([]);
    expect(await attemptsOf(sent.event.eventId)).toEqual([[3, 'delivered', 200]]);
  });

  it('leaves a 5xx to Temporal’s retries, and fails a 4xx for good; each attempt logged', async () => {
    const sent = delivery(2);
    sandbox.state.setFailure({ target: 'webhooks', mode: '5xx', times: 1 });
    const unavailable = await activityFailure(() => new MockActivityEnvironment({ attempt: 1 }).run(activities.deliverWebhook, sent));
    expect([unavailable.type, unavailable.nonRetryable, unavailable.details]).toEqual(['WebhookUndelivered', false, [{ status: 503 }]]);
    sandbox.state.setFailure({ target: 'webhooks', mode: '4xx', times: 1 });
    const rejected = await activityFailure(() => new MockActivityEnvironment({ attempt: 2 }).run(activities.deliverWebhook, sent));
    expect([rejected.type, rejected.nonRetryable, rejected.details]).toEqual(['WebhookRejected', true, [{ status: 422 }]]);
    expect(await attemptsOf(sent.event.eventId)).toEqual([
      [1, 'retrying', 503],
      [2, 'rejected', 422],
    ]);
  });

  it('fails for good when the app that signs is gone', async () => {
    const failure = await activityFailure(() => new MockActivityEnvironment().run(activities.deliverWebhook, delivery(3, 'gone-app')));
    expect([failure.type, failure.nonRetryable]).toEqual(['WebhookAppUnknown', true]);
  });
});

describe('deadLetterWebhook (local activity)', () => {
  it('keeps the delivery that failed for good, with its last error, once however often it is retried', async () => {
    const sent = delivery(4);
    const env = new MockActivityEnvironment();
    await env.run(activities.deadLetterWebhook, { delivery: sent, error: 'answered 422', statusCode: 422 });
    await new MockActivityEnvironment({ attempt: 2 }).run(activities.deadLetterWebhook, { delivery: sent, error: 'answered 422', statusCode: 422 });
    const { items } = await listDeadLetters(db.database.db, { state: 'dead', limit: 10, instanceId: sent.event.instance.instanceId });
    expect(items.map((d) => [d.eventId, d.lastError, d.lastStatusCode, d.event.eventId])).toEqual([
      [sent.event.eventId, 'answered 422', 422, sent.event.eventId],
    ]);
  });
});
