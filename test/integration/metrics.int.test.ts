import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { notifications } from '../../db/schema';
import type { InstanceView } from '../../engine/instance-view';
import { createSignedClient } from '../../client/signed-client';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { catalogueFamilies } from '../../observability/metrics';
import { TEMPORAL_CORE_FAMILIES } from '../../observability/temporal-core-metrics';
import { startApiServer, type RunningApi } from '../../api/server';
import { freePort } from '../../runtime/free-port';
import { DEFAULT_NAMESPACE } from '../../temporal-config';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';
import { actAs, approval, flowOf, service, setUpErpWorld, taskIdOf, waitForStatus, type ErpWorld } from '../support/erp-fixtures';
import { fakeDingTalkConfig } from '../support/fake-dingtalk-config';
import { fakeOrgOf, syncPeople } from '../support/dingtalk-people';
import { expectOk, instancePath, pollUntil, publishFlow, uid, waitForView } from '../support/fixtures';
import { scrapeMetrics, type Scrape } from '../support/metrics-scrape';
import { demoClient, launchStart, startDemoRequest, startEnvironment, type StartEnvironment, type StartedProduct } from '../support/start-process';
import { required } from '../support/test-database';
import { startTestStack, TEST_RETRIES, type TestStack } from '../support/test-stack';

/**
 * SPEC §9 metrics through the real stack: a flow is started, refused, approved from a DingTalk
 * card, rejected (its budget released by the saga), its webhooks delivered, another one's webhook
 * dead-lettered; `GET /metrics` must show every family and each series moved by what happened.
 * Then the standalone worker (workers/main.ts) serves its own `/metrics`, the Temporal core's
 * included, and `npm start` answers everything of its one process at the API's `/metrics`.
 */

const ROOT = path.resolve(__dirname, '../..');
const APP = { appKey: 'metrics-ding-app', appSecret: randomBytes(8).toString('hex'), agentId: 4343, corpId: 'metrics-corp' };
const TEMPLATE = 'approval_card.schema';
const PEOPLE = [
  { id: 'u_initiator', name: '发起人', dingtalk: 'dt_init', union: 'un_init' },
  { id: 'u_a', name: '审批人甲', dingtalk: 'dt_a', union: 'un_a' },
  { id: 'u_b', name: '审批人乙', dingtalk: 'dt_b', union: 'un_b' },
];

let fake: RunningFakeDingTalk;
let stack: TestStack;
let world: ErpWorld;
/** start → reserve budget (service, released on reject) → u_a → u_b → end */
let sagaFlow: string;
/** start → u_a → end */
let oneStepFlow: string;
/** With a cc node: its notice is a regular activity (approver lookups are local ones), so the core's activity metrics move too. */
let ccFlow: string;

beforeAll(async () => {
  fake = await startFakeDingTalk({
    apps: [APP],
    cardTemplateIds: [TEMPLATE],
    org: fakeOrgOf(PEOPLE),
  });
  stack = await startTestStack({ dingtalk: fakeDingTalkConfig(fake, APP, TEMPLATE, 'http') });
  world = await setUpErpWorld(stack);
  await syncPeople(stack.api, PEOPLE);
  sagaFlow = uid('metrics_saga');
  oneStepFlow = uid('metrics_one');
  await publishFlow(
    stack.api,
    flowOf(sagaFlow, [
      { id: 'start', type: 'start', next: 'reserve' },
      service('reserve', world.system, 'first'),
      approval('first', ['u_a'], 'second'),
      approval('second', ['u_b'], 'end'),
    ]),
  );
  await publishFlow(stack.api, flowOf(oneStepFlow, [{ id: 'start', type: 'start', next: 'only' }, approval('only', ['u_a'], 'end')]));
  ccFlow = uid('metrics_cc');
  await publishFlow(
    stack.api,
    flowOf(ccFlow, [
      { id: 'start', type: 'start', next: 'only' },
      approval('only', ['u_a'], 'notify'),
      { id: 'notify', type: 'cc', recipients: { type: 'users', ids: ['u_b'] }, next: 'end' },
    ]),
  );
});

afterAll(async () => {
  await world?.close();
  await stack?.stop();
  await fake?.close();
});

const metricsOf = (baseUrl: string) => scrapeMetrics(`${baseUrl}/metrics`);

/** Scrapes until `done` holds (the worker's side effects trail the API's answers). */
async function metricsUntil(baseUrl: string, what: string, done: (scrape: Scrape) => boolean, timeoutMs = 20_000): Promise<Scrape> {
  return pollUntil(what, () => metricsOf(baseUrl), done, timeoutMs).catch(async (err: unknown) => {
    throw new Error(
      `${(err as Error).message.split('; last:')[0]}\n${(await metricsOf(baseUrl)).text
        .split('\n')
        .filter((l) => l.startsWith('approval_'))
        .join('\n')}`,
    );
  });
}

function startBody(flowCode: string, businessKey: string, callbackUrl: string) {
  return {
    flowCode,
    businessKey,
    initiatorId: 'u_initiator',
    form: { amount: 2_000, title: '显示器' },
    source: { system: world.system, type: 'purchase_order', id: businessKey },
    callbackUrl,
  };
}

const pending = (assigneeId: string) => (v: InstanceView) => v.tasks.some((t) => t.assigneeId === assigneeId && t.status === 'pending');

describe('GET /metrics of the API (the worker in the same process)', () => {
  it('has every family, and each series moves by what the flows did', async () => {
    const before = await metricsOf(stack.baseUrl);

    // The first card is throttled once: DingTalk's error class shows, the retry delivers it.
    fake.state.failNext('card.createAndDeliver', 'throttle', 1);
    const businessKey = uid('PO');
    const body = startBody(sagaFlow, businessKey, world.callbackUrl);
    const started = await expectOk<{ instanceId: string }>(world.erp.request('POST', '/api/v1/instances', body), 201);
    const instanceId = started.instanceId;
    await expectOk(world.erp.request('POST', '/api/v1/instances', body), 200);
    const unknownFlow = await world.erp.request('POST', '/api/v1/instances', { ...body, flowCode: 'no_such_flow' });
    expect(unknownFlow.status).toBe(404);

    const first = await waitForView(stack.api, instanceId, pending('u_a'));
    const refused = await actAs(world, instanceId, { type: 'approve', actorId: 'u_b' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    const outTrackId = outTrackIdOf(instanceId, taskIdOf(first, 'u_a'));
    await pollUntil(
      'the card of u_a',
      async () => fake.state.cards.get(outTrackId),
      (card) => card !== undefined,
    );
    const clicked = await fake.state.click({ outTrackId, userId: 'dt_a', action: 'approve' });
    expect(clicked.status).toBe(200);
    await waitForView(stack.api, instanceId, pending('u_b'));
    await expectOk(actAs(world, instanceId, { type: 'reject', actorId: 'u_b', comment: '预算不足' }));
    await waitForStatus(stack.api, instanceId, 'rejected');

    // Another instance whose receiver is gone: its webhook is tried TEST_RETRIES.webhook times, then dead-lettered; its task stays pending.
    const deadUrl = `http://127.0.0.1:${await freePort()}/webhooks`;
    const second = await expectOk<{ instanceId: string }>(world.erp.request('POST', '/api/v1/instances', startBody(oneStepFlow, uid('PO'), deadUrl)), 201);
    await waitForView(stack.api, second.instanceId, pending('u_a'));
    // A notification nobody sends (its instance does not exist): the outbox holds one.
    await stack.database.db
      .insert(notifications)
      .values({ key: uid('outbox'), instanceId: `approval:${oneStepFlow}:nowhere`, kind: 'cc', recipientId: 'u_b', title: '抄送' });

    const webhookAttempts = TEST_RETRIES.webhook!.maximumAttempts!;
    const moved = (after: Scrape, name: string, labels: Record<string, string> = {}) => after.sum(name, labels) - before.sum(name, labels);
    const after = await metricsUntil(
      stack.baseUrl,
      'the webhooks, the saga and the DingTalk channel settled',
      (s) =>
        moved(s, 'approval_webhook_deliveries_total', { result: 'delivered' }) >= 5 &&
        moved(s, 'approval_webhook_dead_letters_total') >= 1 &&
        moved(s, 'approval_compensations_total', { result: 'compensated' }) >= 1 &&
        moved(s, 'approval_erp_calls_total', { kind: 'write_back', result: 'ok' }) >= 1 &&
        moved(s, 'approval_dingtalk_notifications_total', { kind: 'result', result: 'ok' }) >= 1 &&
        moved(s, 'approval_dingtalk_todos_total', { op: 'complete', result: 'ok' }) >= 2 &&
        s.sum('approval_pending_tasks', { flow: oneStepFlow }) === 1 &&
        s.sum('approval_webhook_dead_letters') === 1 &&
        s.sum('approval_notification_outbox_depth') === 1,
    );

    for (const family of catalogueFamilies()) expect({ family, present: after.families.has(family) }).toEqual({ family, present: true });

    const saga = sagaFlow;
    expect({
      created: moved(after, 'approval_instances_started_total', { flow: saga, result: 'created' }),
      existing: moved(after, 'approval_instances_started_total', { flow: saga, result: 'existing' }),
      refusedUnknownFlow: moved(after, 'approval_instances_started_total', { flow: 'unknown', result: 'refused' }),
      createdOther: moved(after, 'approval_instances_started_total', { flow: oneStepFlow, result: 'created' }),
      approveRefused: moved(after, 'approval_actions_total', { flow: saga, type: 'approve', result: 'refused' }),
      approveOk: moved(after, 'approval_actions_total', { flow: saga, type: 'approve', result: 'ok' }),
      rejectOk: moved(after, 'approval_actions_total', { flow: saga, type: 'reject', result: 'ok' }),
      actionErrors: moved(after, 'approval_actions_total', { result: 'error' }),
    }).toEqual({
      created: 1,
      existing: 1,
      refusedUnknownFlow: 1,
      createdOther: 1,
      approveRefused: 1,
      // The click on the card: counted once, where card clicks act.
      approveOk: 1,
      rejectOk: 1,
      actionErrors: 0,
    });

    const http = (method: string, route: string, status: number) => moved(after, 'approval_http_requests_total', { method, route, status: String(status) });
    expect({
      started: http('POST', '/api/v1/instances', 201),
      repeated: http('POST', '/api/v1/instances', 200),
      unknownFlow: http('POST', '/api/v1/instances', 404),
      refusedAction: http('POST', '/api/v1/instances/{id}/actions', refused.status),
      action: http('POST', '/api/v1/instances/{id}/actions', 200),
      cardClick: http('POST', '/api/v1/dingtalk/callback', 200),
      durationCount: moved(after, 'approval_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/instances', status: '201' }),
    }).toEqual({ started: 2, repeated: 1, unknownFlow: 1, refusedAction: 1, action: 1, cardClick: 1, durationCount: 2 });
    // Never an instance id, a business key or a user in a label.
    const leaks = after.text.split('\n').filter((line) => line.includes(businessKey) || line.includes(instanceId) || /u_(a|b|initiator)\b/.test(line));
    expect(leaks).toEqual([]);

    expect({
      delivered: moved(after, 'approval_webhook_deliveries_total', { result: 'delivered' }),
      retried: moved(after, 'approval_webhook_deliveries_total', { result: 'retried' }),
      failed: moved(after, 'approval_webhook_deliveries_total', { result: 'failed' }),
      deadLettered: moved(after, 'approval_webhook_dead_letters_total'),
      deadLettersNow: after.sum('approval_webhook_dead_letters'),
    }).toEqual({ delivered: 5, retried: webhookAttempts - 1, failed: 1, deadLettered: 1, deadLettersNow: 1 });

    expect({
      service: moved(after, 'approval_erp_calls_total', { kind: 'service', result: 'ok' }),
      compensate: moved(after, 'approval_erp_calls_total', { kind: 'compensate', result: 'ok' }),
      writeBack: moved(after, 'approval_erp_calls_total', { kind: 'write_back', result: 'ok' }),
      failedCalls: moved(after, 'approval_erp_calls_total') - 3,
      timed: moved(after, 'approval_erp_call_duration_seconds_count'),
      compensated: moved(after, 'approval_compensations_total', { result: 'compensated' }),
      compensationFailed: moved(after, 'approval_compensations_total', { result: 'failed' }),
    }).toEqual({ service: 1, compensate: 1, writeBack: 1, failedCalls: 0, timed: 3, compensated: 1, compensationFailed: 0 });

    const dingtalk = (api: string, result: string) => moved(after, 'approval_dingtalk_calls_total', { api, result });
    expect({
      throttled: dingtalk('card.createAndDeliver', 'throttled'),
      // u_a's and u_b's cards of the saga flow, u_a's of the other.
      cardsCreated: dingtalk('card.createAndDeliver', 'ok'),
      // Fetched once when the card callback was registered at start, then cached.
      token: after.sum('approval_dingtalk_calls_total', { api: 'oauth2.accessToken', result: 'ok' }) >= 1,
      timed: moved(after, 'approval_dingtalk_call_duration_seconds_count', { api: 'card.createAndDeliver' }),
      cards: moved(after, 'approval_dingtalk_cards_total', { op: 'create', result: 'ok' }),
      cardFailures: moved(after, 'approval_dingtalk_cards_total', { result: 'failed' }) + moved(after, 'approval_dingtalk_cards_total', { result: 'fallback' }),
      todosCreated: moved(after, 'approval_dingtalk_todos_total', { op: 'create', result: 'ok' }),
      todosCompleted: moved(after, 'approval_dingtalk_todos_total', { op: 'complete', result: 'ok' }),
      resultNotice: moved(after, 'approval_dingtalk_notifications_total', { kind: 'result', result: 'ok' }),
    }).toEqual({
      throttled: 1,
      cardsCreated: 3,
      token: true,
      timed: 4,
      cards: 3,
      cardFailures: 0,
      todosCreated: 3,
      todosCompleted: 2,
      resultNotice: 1,
    });
    expect(moved(after, 'approval_dingtalk_cards_total', { op: 'update', result: 'ok' })).toBeGreaterThanOrEqual(1);

    // Every state change was projected, each write of one observed once.
    expect(moved(after, 'approval_projection_lag_seconds_count')).toBeGreaterThanOrEqual(6);
    expect(after.sum('approval_projection_lag_seconds_bucket', { le: '+Inf' })).toBe(after.sum('approval_projection_lag_seconds_count'));

    expect({
      pendingOther: after.sum('approval_pending_tasks', { flow: oneStepFlow }),
      pendingSaga: after.sum('approval_pending_tasks', { flow: saga }),
      outbox: after.sum('approval_notification_outbox_depth'),
    }).toEqual({ pendingOther: 1, pendingSaga: 0, outbox: 1 });
  });

  it('labels an unknown path `unmatched`, whatever it was', async () => {
    const before = await metricsOf(stack.baseUrl);
    const path = `/no-such-page/${uid('u_secret')}`;
    expect((await fetch(`${stack.baseUrl}${path}`)).status).toBe(404);
    const after = await metricsOf(stack.baseUrl);
    const unmatched = { method: 'GET', route: 'unmatched', status: '404' };
    expect(after.sum('approval_http_requests_total', unmatched) - before.sum('approval_http_requests_total', unmatched)).toBe(1);
    expect(after.text).not.toContain('no-such-page');
  });
});

describe('the standalone worker (workers/main.ts)', () => {
  let child: ChildProcess | undefined;
  let api: RunningApi | undefined;
  let output = '';

  afterAll(async () => {
    await api?.close(2_000);
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('serves GET /metrics on WORKER_METRICS_PORT: its own families and the Temporal core’s, moved by the flow it ran', async () => {
    const taskQueue = `approvals-metrics-worker-${randomBytes(3).toString('hex')}`;
    const metricsPort = await freePort();
    const databaseUrl = new URL(required('TEST_DATABASE_URL'));
    databaseUrl.pathname = `/${stack.database.sql.options.database}`;
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl.toString(),
        TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        APP_SECRETS_KEY: required('TEST_APP_SECRETS_KEY'),
        WORKFLOW_BUNDLE_PATH: required('TEST_WORKFLOW_BUNDLE'),
        WORKER_METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'WARN',
        DINGTALK_APP_KEY: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const workerUrl = `http://127.0.0.1:${metricsPort}`;
    await pollUntil(
      `the worker's /metrics (output: ${output})`,
      () =>
        fetch(`${workerUrl}/metrics`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
      60_000,
    );

    // An API on the worker's task queue, in this process: the flow's workflow and activities run in the child.
    const app = await stack.appWith(['start', 'act_for']);
    api = await startApiServer(
      {
        db: stack.database.db,
        temporal: stack.temporal,
        secretBox: stack.secretBox,
        config: { temporalNamespace: DEFAULT_NAMESPACE, taskQueue, retries: TEST_RETRIES },
      },
      0,
      '127.0.0.1',
    );
    const client = createSignedClient({ baseUrl: api.url, appKey: app.appKey, secret: app.secret });
    const businessKey = uid('PO');
    const started = await expectOk<{ instanceId: string }>(
      client.request('POST', '/api/v1/instances', {
        flowCode: ccFlow,
        businessKey,
        initiatorId: 'u_initiator',
        form: { amount: 10, title: '笔' },
        source: { system: 'erp', type: 'purchase_order', id: businessKey },
      }),
      201,
    );
    await waitForView(client, started.instanceId, pending('u_a'));
    await expectOk(client.request('POST', `${instancePath(started.instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_a' }));
    await waitForStatus(client, started.instanceId, 'approved');

    const scrape = await metricsUntil(workerUrl, 'the core’s metrics of the flow', (s) =>
      TEMPORAL_CORE_FAMILIES.every((family) => s.series(family).length + s.series(`${family}_count`).length > 0),
    );
    for (const family of [...catalogueFamilies(), ...TEMPORAL_CORE_FAMILIES])
      expect({ family, present: scrape.families.has(family) }).toEqual({ family, present: true });
    // The worker's own registry: the projection writes (started, approved) and the core's workflow tasks of this flow, on this task queue.
    expect(scrape.sum('approval_projection_lag_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(scrape.sum('temporal_workflow_task_schedule_to_start_latency_seconds_count', { task_queue: taskQueue })).toBeGreaterThanOrEqual(2);
    expect(scrape.sum('temporal_worker_task_slots_available', { task_queue: taskQueue, worker_type: 'WorkflowWorker' })).toBeGreaterThan(0);
    // A worker answers no API requests; it reads the same PostgreSQL gauges as the API.
    expect(scrape.sum('approval_http_requests_total')).toBe(0);
    const apiScrape = await metricsUntil(
      stack.baseUrl,
      'the same pending tasks',
      (s) => s.sum('approval_pending_tasks') === scrape.sum('approval_pending_tasks'),
    );
    expect(apiScrape.series('approval_pending_tasks')).toEqual(scrape.series('approval_pending_tasks'));

    expect((await fetch(`${workerUrl}/other`)).status).toBe(404);
  });
});

describe('npm start (the API and the worker in one process)', () => {
  let environment: StartEnvironment | undefined;
  let product: StartedProduct | undefined;

  afterAll(async () => {
    if (product && product.child.exitCode === null && product.child.signalCode === null) {
      product.child.kill('SIGTERM');
      await product.exited;
    }
    if (environment) rmSync(environment.dataDir, { recursive: true, force: true });
  });

  it('answers the API’s, the worker’s and the Temporal core’s metrics at the API’s /metrics', async () => {
    environment = await startEnvironment();
    product = launchStart(environment);
    await product.ready;
    const api = demoClient(environment);
    const instanceId = await startDemoRequest(api);
    await waitForView(api, instanceId, pending('u_lisi'));
    const apiUrl = `http://127.0.0.1:${environment.apiPort}`;
    const scrape = await metricsUntil(
      apiUrl,
      'the worker’s and the core’s metrics of the demo request',
      (s) =>
        TEMPORAL_CORE_FAMILIES.every((family) => s.series(family).length + s.series(`${family}_count`).length > 0) &&
        s.sum('approval_dingtalk_cards_total', { op: 'create', result: 'ok' }) >= 1 &&
        s.sum('approval_pending_tasks', { flow: 'purchase_request' }) === 1,
      60_000,
    );
    for (const family of [...catalogueFamilies(), ...TEMPORAL_CORE_FAMILIES])
      expect({ family, present: scrape.families.has(family) }).toEqual({ family, present: true });
    expect(scrape.sum('approval_instances_started_total', { flow: 'purchase_request', result: 'created' })).toBe(1);
    expect(scrape.sum('approval_projection_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(scrape.sum('temporal_worker_task_slots_available', { task_queue: 'approvals', worker_type: 'WorkflowWorker' })).toBeGreaterThan(0);
    expect(scrape.sum('process_cpu_seconds_total')).toBeGreaterThan(0);
  }, 120_000);
});
