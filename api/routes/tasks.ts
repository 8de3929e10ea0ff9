import { listTasks } from '../../db/task-center';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError } from '../errors';
import { pagedOrBadCursor } from '../paging';
import { readsAll } from '../services/visibility';
import { taskListQuery, taskPage } from '../schemas/tasks';

const route = routesOf('tasks');

/** The task center (待办 / 已办): read from the projection, never from Temporal. */
export const taskRoutes: AnyRoute[] = [
  route(
    { operationId: 'listTasks', method: 'get', path: '/api/v1/tasks', auth: 'signed', sessions: true, query: taskListQuery },
    {
      summary: 'A todo list: tasks by assignee and status, newest first',
      description: 'A user reads their own list; an app the tasks of the instances it started (all with `read_all` or `admin`).',
      responses: okWith('a page', taskPage),
      errors: ['NOT_OWN_LIST'],
    },
    async ({ query: { limit, cursor, assignee, ...filter }, viewer, deps }) => {
      if (viewer.kind === 'user' && assignee !== undefined && assignee !== viewer.user.id)
        throw new ApiError('NOT_OWN_LIST', 'a user reads only their own todo list');
      const assigneeId = viewer.kind === 'user' ? viewer.user.id : assignee;
      const ownedBy = viewer.kind === 'app' && !readsAll(viewer) ? { appKey: viewer.app.key } : {};
      const page = { limit, ...(cursor ? { cursor } : {}) };
      return ok(await pagedOrBadCursor(() => listTasks(deps.db, { ...filter, ...ownedBy, ...(assigneeId !== undefined ? { assigneeId } : {}) }, page)));
    },
  ),
];
