import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { departmentsPushed, syncDepartmentsBody, syncUsersBody, usersPushed } from '../schemas/org';
import { pushDepartments, pushUsers } from '../services/org-push';

const route = routesOf('org');

/** The org push (SPEC §6): the ERP's departments and users. */
export const orgRoutes: AnyRoute[] = [
  route(
    { operationId: 'pushUsers', method: 'post', path: '/api/v1/sync/users', auth: 'sync', body: syncUsersBody },
    {
      summary: 'Push users, full or incremental',
      description:
        'A pushed user whose id is new but whose mobile (else email) matches one existing user is bound to that user. A full push deactivates whom it leaves out; their open tasks go where their node’s onEmpty points.',
      responses: okWith('what changed', usersPushed),
      errors: ['AMBIGUOUS_USER_BINDING'],
    },
    async ({ body, deps }) => ok(await pushUsers(deps, body)),
  ),
  route(
    { operationId: 'pushDepartments', method: 'post', path: '/api/v1/sync/departments', auth: 'sync', body: syncDepartmentsBody },
    { summary: 'Push departments, full or incremental', responses: okWith('what changed', departmentsPushed), errors: ['INVALID_DEPARTMENTS'] },
    async ({ body, deps }) => ok(await pushDepartments(deps, body)),
  ),
];
