import { listTasks } from '../../db/task-center';
import type { ApiDependencies } from '../context';
import { route } from '../contract/route';
import { pagedOrBadCursor } from '../paging';
import { taskListQuery, taskPage } from '../schemas/tasks';

/** The task center (待办 / 已办): read from the projection, never from Temporal. */
export function taskRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'listTasks',
        method: 'get',
        path: '/api/v1/tasks',
        tag: 'tasks',
        summary: 'A todo list: tasks by assignee and status, newest first',
        auth: 'signed',
        query: taskListQuery,
        responses: { 200: { description: 'a page', schema: taskPage } },
        errors: [],
      },
      async ({ query: { limit, cursor, assignee, ...filter } }) => {
        const page = await pagedOrBadCursor(() =>
          listTasks(deps.db, { ...filter, ...(assignee !== undefined ? { assigneeId: assignee } : {}) }, { limit, ...(cursor ? { cursor } : {}) }),
        );
        return { status: 200, body: page };
      },
    ),
  ];
}
