import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { ApiDependencies, ApiEnv } from '../context';

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
    return 'ok';
  } catch (err) {
    return `failing: ${(err as Error).message}`;
  }
}

/** `/healthz`: the process answers. `/readyz`: Postgres and Temporal answer too. */
export function healthRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const [database, temporal] = await Promise.all([check(() => deps.db.execute(sql`select 1`)), check(() => deps.temporal.workflowService.getSystemInfo({}))]);
    const ready = database === 'ok' && temporal === 'ok';
    return c.json({ status: ready ? 'ready' : 'not_ready', checks: { database, temporal } }, ready ? 200 : 503);
  });
  return routes;
}
