import { sql } from 'drizzle-orm';
import { checkDrift } from '../../ops/drift-check';
import { METRICS_CONTENT_TYPE, metricsText } from '../../observability/metrics-text';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { driftReport, health, readiness } from '../schemas/ops';

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
    return 'ok';
  } catch (err) {
    return `failing: ${(err as Error).message}`;
  }
}

const route = routesOf('ops');

/** Health for orchestrators, Prometheus metrics, and the projection drift check for ops. */
export const opsRoutes: AnyRoute[] = [
  route(
    { operationId: 'health', method: 'get', path: '/healthz', auth: 'none' },
    { summary: 'The process answers', responses: okWith('alive', health) },
    async () => ok({ status: 'ok' as const }),
  ),
  route(
    { operationId: 'readiness', method: 'get', path: '/readyz', auth: 'none' },
    {
      summary: 'PostgreSQL and Temporal answer too',
      responses: { 200: { description: 'ready', schema: readiness }, 503: { description: 'not ready: `checks` says what fails', schema: readiness } },
    },
    async ({ deps }) => {
      const [database, temporal] = await Promise.all([
        check(() => deps.db.execute(sql`select 1`)),
        check(() => deps.temporal.workflowService.getSystemInfo({})),
      ]);
      const checks = { database, temporal };
      return database === 'ok' && temporal === 'ok'
        ? ok({ status: 'ready' as const, checks })
        : { status: 503, body: { status: 'not_ready' as const, checks } };
    },
  ),
  route(
    { operationId: 'metrics', method: 'get', path: '/metrics', auth: 'none' },
    {
      summary: 'Prometheus metrics of this process',
      description:
        'The text exposition format: HTTP, starts and actions, webhooks, ERP and DingTalk calls, projection lag, the PostgreSQL gauges (pending tasks, dead letters, outbox) and Node’s own; in `npm start`, where the worker runs in this process, the worker’s and the Temporal SDK core’s metrics too.',
      responses: { 200: { description: 'the metrics', contentType: METRICS_CONTENT_TYPE } },
    },
    async ({ deps, c }) => c.body(await metricsText(deps.db), 200, { 'content-type': METRICS_CONTENT_TYPE }),
  ),
  route(
    { operationId: 'checkDrift', method: 'get', path: '/api/v1/admin/drift', auth: 'admin' },
    {
      summary: 'Compare the Postgres projection with the workflow of every open instance',
      responses: okWith('the differences (none when all agree)', driftReport),
    },
    async ({ deps }) => ok(await checkDrift({ db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue })),
  ),
];
