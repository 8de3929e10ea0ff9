import { listInstances } from '../../db/instance-reads';
import { ACTION_REFUSAL_CODES } from '../../engine/refusals';
import { createdOrFound, createdOrOk, ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { errorCodeOfRefusal, type ErrorCode } from '../error-codes';
import { pagedOrBadCursor } from '../paging';
import { actionBody, compensationRetryBody } from '../schemas/actions';
import {
  instanceListQuery,
  instancePage,
  instanceParams,
  instanceForm,
  instanceRoute,
  instanceView,
  notificationList,
  startAnswer,
  startInstanceBody,
  timelineView,
} from '../schemas/instances';
import { listNotifications } from '../../db/notifications';
import type { Viewer } from '../auth/viewer';
import { ApiError, validationFailed } from '../errors';
import { formOfInstance, routeOfInstance } from '../services/instance-route';
import { readsAll, visibleInstance } from '../services/visibility';
import { actOnInstance, retryCompensations } from '../services/instance-actions';
import { reassignTask, terminateInstance } from '../services/interventions';
import { reassignBody, terminateBody } from '../schemas/interventions';
import { timelineOf } from '../services/instance-reads';
import { startApproval } from '../services/start-approval';

/** What an action may answer besides its input's problems: the workflow's refusals, and the users it names. */
const ACTION_ERRORS: ErrorCode[] = ['INSTANCE_NOT_FOUND', 'UNKNOWN_USER', 'ACTOR_MISMATCH', ...ACTION_REFUSAL_CODES.map(errorCodeOfRefusal)];

/** What an admin's intervention may answer besides its input's problems. */
const INTERVENTION_ERRORS: ErrorCode[] = ['INSTANCE_NOT_FOUND', 'NOT_FLOW_ADMIN', 'ACTOR_MISMATCH', 'UNKNOWN_USER', 'INSTANCE_NOT_RUNNING'];

const ADMINS =
  'For admins: a user with their session who is an admin of the instance’s flow (its `admins`) or holds the `approval_admin` role, or an app with `admin` (on its own account, recorded as `app:{appKey}`, or for the admin user it names in `actorId`). ' +
  'A Workflow Update whose id carries `requestId`: a repeat answers the first result and does nothing again; a refusal leaves no trace. The timeline records who did it and why.';

const VISIBILITY = 'A user sees the instances they take part in; an app those it started (every one with `read_all` or `admin`); any other answers 404.';

/** SPEC §7: a session acts as its own user; an app names whom it acts for. */
function actorOf(viewer: Viewer, actorId: string | undefined): string {
  if (viewer.kind === 'user') {
    if (actorId !== undefined && actorId !== viewer.user.id) throw new ApiError('ACTOR_MISMATCH', `this session acts as ${viewer.user.id}, not ${actorId}`);
    return viewer.user.id;
  }
  if (actorId === undefined) throw validationFailed([{ field: 'actorId', message: 'required when an app acts for a user' }]);
  return actorId;
}

const route = routesOf('instances');

/** Approval instances (SPEC §6): start, read, act. */
export const instanceRoutes: AnyRoute[] = [
  route(
    { operationId: 'listInstances', method: 'get', path: '/api/v1/instances', auth: 'signed', sessions: true, query: instanceListQuery },
    {
      summary: 'The instances of a source document (or system / type) or of an initiator, newest first',
      description: 'A user lists the instances they started (我发起的); an app those it started, every one with `read_all` or `admin`.',
      responses: okWith('a page', instancePage),
      errors: ['NOT_OWN_LIST'],
    },
    async ({ query: { limit, cursor, sourceSystem, sourceType, sourceId, ...filter }, viewer, deps }) => {
      if (viewer.kind === 'user' && (filter.initiatorId !== viewer.user.id || sourceSystem !== undefined))
        throw new ApiError('NOT_OWN_LIST', 'a user lists the instances they started: initiatorId must be their own id');
      const source =
        sourceSystem === undefined ? undefined : { system: sourceSystem, ...(sourceType ? { type: sourceType } : {}), ...(sourceId ? { id: sourceId } : {}) };
      const ownedBy = viewer.kind === 'app' && !readsAll(viewer) ? { appKey: viewer.app.key } : {};
      const page = { limit, ...(cursor ? { cursor } : {}) };
      return ok(await pagedOrBadCursor(() => listInstances(deps.db, { ...filter, ...ownedBy, ...(source ? { source } : {}) }, page)));
    },
  ),
  route(
    { operationId: 'getInstance', method: 'get', path: '/api/v1/instances/{id}', auth: 'signed', sessions: true, params: instanceParams },
    {
      summary: 'The instance view: status, current nodes, tasks, form',
      description: VISIBILITY,
      responses: okWith('the instance', instanceView),
      errors: ['INSTANCE_NOT_FOUND'],
    },
    async ({ params, viewer, deps }) => ok(await visibleInstance(deps, viewer, params.id)),
  ),
  route(
    { operationId: 'getTimeline', method: 'get', path: '/api/v1/instances/{id}/timeline', auth: 'signed', sessions: true, params: instanceParams },
    { summary: 'The audit timeline, in order', description: VISIBILITY, responses: okWith('every event', timelineView), errors: ['INSTANCE_NOT_FOUND'] },
    async ({ params, viewer, deps }) => {
      await visibleInstance(deps, viewer, params.id);
      return ok(await timelineOf(deps, params.id));
    },
  ),
  route(
    { operationId: 'getInstanceRoute', method: 'get', path: '/api/v1/instances/{id}/route', auth: 'signed', sessions: true, params: instanceParams },
    {
      summary: 'The instance’s route: nodes done, current and to come, with their approvers',
      description: `The planned route for the current form, walked as the route preview walks it; upcoming approvers are the org’s answer today. ${VISIBILITY}`,
      responses: okWith('the route', instanceRoute),
      errors: ['INSTANCE_NOT_FOUND'],
    },
    async ({ params, viewer, deps }) => {
      const view = await visibleInstance(deps, viewer, params.id);
      return ok(await routeOfInstance(deps, view, await timelineOf(deps, params.id)));
    },
  ),
  route(
    { operationId: 'getInstanceForm', method: 'get', path: '/api/v1/instances/{id}/form', auth: 'signed', sessions: true, params: instanceParams },
    {
      summary: 'The form with its fields’ labels and types (for showing it and for resubmitting it)',
      description: VISIBILITY,
      responses: okWith('the form', instanceForm),
      errors: ['INSTANCE_NOT_FOUND'],
    },
    async ({ params, viewer, deps }) => ok(await formOfInstance(deps, await visibleInstance(deps, viewer, params.id))),
  ),
  route(
    { operationId: 'getNotifications', method: 'get', path: '/api/v1/instances/{id}/notifications', auth: 'signed', params: instanceParams },
    {
      summary: 'The instance’s notifications and how their delivery went',
      description: 'Reminders, urges, cc notices, escalations, hand-overs and the result to the initiator, each sent once as a DingTalk work notification.',
      responses: okWith('every notification, oldest first', notificationList),
      errors: ['INSTANCE_NOT_FOUND'],
    },
    async ({ params, viewer, deps }) => {
      await visibleInstance(deps, viewer, params.id);
      const rows = await listNotifications(deps.db, { instanceId: params.id });
      return ok({
        items: rows.map((n) => ({
          kind: n.kind,
          recipientId: n.recipientId,
          ...(n.taskId ? { taskId: n.taskId } : {}),
          title: n.title,
          state: n.state,
          attempts: n.attempts,
          ...(n.lastError ? { lastError: n.lastError } : {}),
          createdAt: n.createdAt.toISOString(),
          ...(n.deliveredAt ? { deliveredAt: n.deliveredAt.toISOString() } : {}),
        })),
      });
    },
  ),
  route(
    { operationId: 'startInstance', method: 'post', path: '/api/v1/instances', auth: 'start', body: startInstanceBody },
    {
      summary: 'Start an approval for a business document',
      description:
        'Starts an instance of the flow’s latest published version. The instance id is `approval:{flowCode}:{businessKey}`: the same payload again answers 200 with the same instance; a different payload 409.',
      responses: createdOrFound(startAnswer, 'started', 'started before with the same payload'),
      errors: ['FLOW_NOT_FOUND', 'UNKNOWN_USER', 'BUSINESS_KEY_CONFLICT'],
    },
    async ({ body, caller, deps }) => {
      const { created, ...answer } = await startApproval(deps, caller.key, body);
      return createdOrOk(created, answer);
    },
  ),
  route(
    {
      operationId: 'actOnInstance',
      method: 'post',
      path: '/api/v1/instances/{id}/actions',
      auth: 'act_for',
      sessions: true,
      params: instanceParams,
      body: actionBody,
    },
    {
      summary: 'Act: approve, reject, transfer, add or remove signers, return, resubmit, revoke, withdraw, comment, urge',
      description:
        'A user acts with their session (the actor is the session’s user; an `actorId` naming anyone else is refused); an app with `act_for` acts for `actorId`. ' +
        'A Workflow Update whose id is `actionId`: a repeat answers the first result and does nothing again. A refusal (403, 404, 409, 422) leaves no trace. The answer is the instance once the action has taken effect: it already holds the next pending task.',
      responses: okWith('the instance after the action', instanceView),
      errors: ACTION_ERRORS,
    },
    async ({ params, body, viewer, deps }) => {
      const actorId = actorOf(viewer, body.actorId);
      await visibleInstance(deps, viewer, params.id);
      return ok(await actOnInstance(deps, params.id, { ...body, actorId }));
    },
  ),
  route(
    {
      operationId: 'retryCompensations',
      method: 'post',
      path: '/api/v1/instances/{id}/compensations/retry',
      auth: 'admin',
      params: instanceParams,
      body: compensationRetryBody,
    },
    {
      summary: 'Ops: run the failed compensations of a compensation_failed instance again',
      responses: okWith('the instance, compensating again', instanceView),
      errors: ['INSTANCE_NOT_FOUND', 'INSTANCE_NOT_COMPENSATION_FAILED'],
    },
    async ({ params, body, caller, deps }) => ok(await retryCompensations(deps, params.id, body.requestId, caller.key)),
  ),
  route(
    {
      operationId: 'terminateInstance',
      method: 'post',
      path: '/api/v1/instances/{id}/terminate',
      auth: 'admin',
      sessions: true,
      params: instanceParams,
      body: terminateBody,
    },
    {
      summary: '强制终止: end a running instance',
      description: `Every open task is cancelled; the compensations of its succeeded service nodes run (newest first); it ends \`terminated\` (or \`compensation_failed\`), with the webhook, cards and todos of any end. ${ADMINS}`,
      responses: okWith('the instance once ended (or compensating)', instanceView),
      errors: INTERVENTION_ERRORS,
    },
    async ({ params, body, viewer, deps }) => ok(await terminateInstance(deps, viewer, params.id, body)),
  ),
  route(
    {
      operationId: 'reassignTask',
      method: 'post',
      path: '/api/v1/instances/{id}/reassign',
      auth: 'admin',
      sessions: true,
      params: instanceParams,
      body: reassignBody,
    },
    {
      summary: '修改审批人: give an open task to another user',
      description: `The task closes as \`transferred\` (reason \`reassigned\`) and a new one on the same seat goes to \`toUserId\` (or their delegate); a task waiting for its signers stays waiting. ${ADMINS}`,
      responses: okWith('the instance with the task moved', instanceView),
      errors: [...INTERVENTION_ERRORS, 'TASK_NOT_FOUND', 'TASK_NOT_PENDING', 'TRANSFER_TO_SELF', 'ALREADY_ASSIGNEE'],
    },
    async ({ params, body, viewer, deps }) => ok(await reassignTask(deps, viewer, params.id, body)),
  ),
];
