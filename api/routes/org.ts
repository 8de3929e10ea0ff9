import { activeDepartments, activeRoles } from '../../db/org';
import { startDingTalkOrgSyncNow } from '../../temporal-config/dingtalk-org-sync-schedule';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError } from '../errors';
import { BODY_LIMITS } from '../limits';
import {
  departmentList,
  departmentsPushed,
  dingTalkOrgSyncBody,
  dingTalkOrgSyncStarted,
  roleList,
  syncDepartmentsBody,
  syncUsersBody,
  usersPushed,
} from '../schemas/org';
import { pushDepartments, pushUsers } from '../services/org-push';

const route = routesOf('org');

/** The org push (SPEC §6): the ERP's departments and users; the org sync from DingTalk (SPEC §8) on request; the pickers of the flow designer. */
export const orgRoutes: AnyRoute[] = [
  route(
    { operationId: 'pushUsers', method: 'post', path: '/api/v1/sync/users', auth: 'sync', body: syncUsersBody, bodyLimit: BODY_LIMITS.orgPush },
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
    {
      operationId: 'pushDepartments',
      method: 'post',
      path: '/api/v1/sync/departments',
      auth: 'sync',
      body: syncDepartmentsBody,
      bodyLimit: BODY_LIMITS.orgPush,
    },
    { summary: 'Push departments, full or incremental', responses: okWith('what changed', departmentsPushed), errors: ['INVALID_DEPARTMENTS'] },
    async ({ body, deps }) => ok(await pushDepartments(deps, body)),
  ),
  route(
    { operationId: 'syncFromDingTalk', method: 'post', path: '/api/v1/sync/dingtalk', auth: 'sync', body: dingTalkOrgSyncBody },
    {
      summary: 'Sync the org from DingTalk now',
      description:
        'Starts the org sync workflow the Schedule also runs: departments, users (bound to existing users by DingTalk userid, else mobile or email) and managers, as a full sync; the open tasks of users DingTalk no longer lists are handed over. ' +
        'Its progress and result are in the Temporal Web UI under `workflowId`. While a requested sync runs, another request answers that one.',
      responses: { 202: { description: 'the sync started (or was running)', schema: dingTalkOrgSyncStarted } },
      errors: ['DINGTALK_NOT_CONFIGURED'],
    },
    async ({ deps }) => {
      // The worker syncs from the DingTalk of the same settings; without them there is nothing to sync from.
      if (!deps.config.dingtalk)
        throw new ApiError('DINGTALK_NOT_CONFIGURED', 'this server has no DingTalk configured (DINGTALK_APP_KEY …): nothing to sync from');
      return { status: 202 as const, body: await startDingTalkOrgSyncNow(deps.temporal, deps.config.taskQueue) };
    },
  ),
  route(
    { operationId: 'listRoles', method: 'get', path: '/api/v1/roles', auth: 'signed', sessions: true },
    { summary: 'The role picker: the roles active users hold, and how many hold each', responses: okWith('the roles', roleList) },
    async ({ deps }) => ok({ items: await activeRoles(deps.db) }),
  ),
  route(
    { operationId: 'listDepartments', method: 'get', path: '/api/v1/departments', auth: 'signed', sessions: true },
    {
      summary: 'The department picker: active departments with their parent and leaders',
      description: 'Their members: `GET /api/v1/users?deptId=`.',
      responses: okWith('the departments', departmentList),
    },
    async ({ deps }) => ok({ items: await activeDepartments(deps.db) }),
  ),
];
