import type { ApiDependencies } from '../context';
import { route } from '../contract/route';
import { departmentsPushed, syncDepartmentsBody, syncUsersBody, usersPushed } from '../schemas/org';
import { pushDepartments, pushUsers } from '../services/org-push';

/** The org push (SPEC §6): the ERP's departments and users. */
export function orgRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'pushUsers',
        method: 'post',
        path: '/api/v1/sync/users',
        tag: 'org',
        summary: 'Push users, full or incremental',
        description:
          'A pushed user whose id is new but whose mobile (else email) matches one existing user is bound to that user. A full push deactivates whom it leaves out; their open tasks go where their node’s onEmpty points.',
        auth: 'sync',
        body: syncUsersBody,
        responses: { 200: { description: 'what changed', schema: usersPushed } },
        errors: ['AMBIGUOUS_USER_BINDING'],
      },
      async ({ body }) => ({ status: 200, body: await pushUsers(deps, body) }),
    ),
    route(
      {
        operationId: 'pushDepartments',
        method: 'post',
        path: '/api/v1/sync/departments',
        tag: 'org',
        summary: 'Push departments, full or incremental',
        auth: 'sync',
        body: syncDepartmentsBody,
        responses: { 200: { description: 'what changed', schema: departmentsPushed } },
        errors: ['INVALID_DEPARTMENTS'],
      },
      async ({ body }) => ({ status: 200, body: await pushDepartments(deps, body) }),
    ),
  ];
}
