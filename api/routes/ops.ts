import { sql } from 'drizzle-orm';
import { checkDrift } from '../../ops/drift-check';
import type { ApiDependencies } from '../context';
import { route } from '../contract/route';
import { driftReport, health, readiness } from '../schemas/ops';

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
    return 'ok';
  } catch (err) {
    return `failing: ${(err as Error).message}`;
  }
}

/** Health for orchestrators, and the projection drift check for ops. */
export function opsRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'health',
        method: 'get',
        path: '/healthz',
        tag: 'ops',
        summary: 'The process answers',
        auth: 'none',
        responses: { 200: { description: 'alive', schema: health } },
        errors: [],
      },
      async () => ({ status: 200, body: { status: 'ok' as const } }),
    ),
    route(
      {
        operationId: 'readiness',
        method: 'get',
        path: '/readyz',
        tag: 'ops',
        summary: 'PostgreSQL and Temporal answer too',
        auth: 'none',
        responses: { 200: { description: 'ready', schema: readiness }, 503: { description: 'not ready: `checks` says what fails', schema: readiness } },
        errors: [],
      },
      async () => {
        const [database, temporal] = await Promise.all([
          check(() => deps.db.execute(sql`select 1`)),
          check(() => deps.temporal.workflowService.getSystemInfo({})),
        ]);
        const ready = database === 'ok' && temporal === 'ok';
        const checks = { database, temporal };
        return ready ? { status: 200, body: { status: 'ready' as const, checks } } : { status: 503, body: { status: 'not_ready' as const, checks } };
      },
    ),
    route(
      {
        operationId: 'checkDrift',
        method: 'get',
        path: '/api/v1/admin/drift',
        tag: 'ops',
        summary: 'Compare the Postgres projection with the workflow of every open instance',
        auth: 'admin',
        responses: { 200: { description: 'the differences (none when all agree)', schema: driftReport } },
        errors: [],
      },
      async () => ({ status: 200, body: await checkDrift({ db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue }) }),
    ),
  ];
}
