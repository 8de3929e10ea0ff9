import { Hono } from 'hono';
import { checkDrift } from '../../ops/drift-check';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';

/** Operations endpoints (permission `admin`). */
export function adminRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps, 'admin'));
  /** Compares the Postgres projection with the workflows of every open instance. */
  routes.get('/drift', async (c) => c.json(await checkDrift({ db: deps.db, temporal: deps.temporal, taskQueue: deps.config.taskQueue })));
  return routes;
}
