import { Hono } from 'hono';
import { InvalidCursorError } from '../../db/keyset';
import { listTasks } from '../../db/task-center';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { taskListQuery } from '../list-schemas';
import { validatedQuery } from '../validation';

/** The task center (待办 / 已办): read from the projection, never from Temporal. */
export function taskRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.get('/', requireApp(deps), async (c) => {
    const { limit, cursor, assignee, ...filter } = validatedQuery(c, taskListQuery);
    return c.json(await pagedOrBadCursor(() => listTasks(deps.db, { ...filter, ...(assignee !== undefined ? { assigneeId: assignee } : {}) }, { limit, ...(cursor ? { cursor } : {}) })));
  });
  return routes;
}

/** A page, or 400 naming `query.cursor` when the cursor is not one a page returned. */
export async function pagedOrBadCursor<T>(page: () => Promise<T>): Promise<T> {
  try {
    return await page();
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw new ApiError(400, 'VALIDATION_FAILED', `query.cursor: ${err.message}`, [{ field: 'query.cursor', message: err.message }]);
    }
    throw err;
  }
}
