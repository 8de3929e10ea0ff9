import { listTasks } from '../../db/task-center';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { pagedOrBadCursor } from '../paging';
import { taskListQuery, taskPage } from '../schemas/tasks';

const route = routesOf('tasks');

/** The task center (待办 / 已办): read from the projection, never from Temporal. */
export const taskRoutes: AnyRoute[] = [
  route(
    { operationId: 'listTasks', method: 'get', path: '/api/v1/tasks', auth: 'signed', query: taskListQuery },
    { summary: 'A todo list: tasks by assignee and status, newest first', responses: okWith('a page', taskPage) },
    async ({ query: { limit, cursor, assignee, ...filter }, deps }) => {
      const page = { limit, ...(cursor ? { cursor } : {}) };
      return ok(await pagedOrBadCursor(() => listTasks(deps.db, { ...filter, ...(assignee !== undefined ? { assigneeId: assignee } : {}) }, page)));
    },
  ),
];
