import { Hono } from 'hono';
import { syncUsers } from '../../db/org';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { syncUsersBody } from '../schemas';
import { validatedBody } from '../validation';

export function syncRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps, 'sync'));
  routes.post('/users', async (c) => {
    const body = validatedBody(c, syncUsersBody);
    return c.json(await syncUsers(deps.db, body.mode, body.users));
  });
  return routes;
}
