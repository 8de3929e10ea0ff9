import { Hono } from 'hono';
import { InvalidDepartmentsError } from '../../db/department-tree';
import { AmbiguousUserBindingError, syncDepartments, syncUsers } from '../../db/org';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { syncDepartmentsBody } from '../org-schemas';
import { handOverDepartedTasks } from '../services/departed-handover';
import { syncUsersBody } from '../schemas';
import { validatedBody } from '../validation';

export function syncRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps, 'sync'));
  routes.post('/users', async (c) => {
    const body = validatedBody(c, syncUsersBody);
    try {
      const answer = await syncUsers(deps.db, body.mode, body.users);
      // Only a full push deactivates; its leavers' open tasks go where their nodes' onEmpty points.
      return c.json(body.mode === 'full' ? { ...answer, handedOver: await handOverDepartedTasks(deps) } : answer);
    } catch (err) {
      if (err instanceof AmbiguousUserBindingError) throw new ApiError(422, 'AMBIGUOUS_USER_BINDING', err.message, err.problems);
      throw err;
    }
  });
  routes.post('/departments', async (c) => {
    const body = validatedBody(c, syncDepartmentsBody);
    try {
      return c.json(await syncDepartments(deps.db, body.mode, body.departments));
    } catch (err) {
      if (err instanceof InvalidDepartmentsError) throw new ApiError(422, 'INVALID_DEPARTMENTS', err.message, err.problems);
      throw err;
    }
  });
  return routes;
}
