import { Hono } from 'hono';
import { listTasks } from '../../db/task-center';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { taskListQuery } from '../list-schemas';
import { pagedOrBadCursor, validatedQuery } from '../validation';

/** The task center (待办 / 已办): read from the projection, never from Temporal. */
export function taskRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.get('/', requireApp(deps), async (c) => {
    const { limit, cursor, assignee, ...filter } = validatedQuery(c, taskListQuery);
    return c.json(
      await pagedOrBadCursor(() =>
        listTasks(deps.db, { ...filter, ...(assignee !== undefined ? { assigneeId: assignee } : {}) }, { limit, ...(cursor ? { cursor } : {}) }),
      ),
    );
  });
  return routes;
}
