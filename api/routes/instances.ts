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
  instanceView,
  notificationList,
  startAnswer,
  startInstanceBody,
  timelineView,
} from '../schemas/instances';
import { listNotifications } from '../../db/notifications';
import { actOnInstance, retryCompensations } from '../services/instance-actions';
import { timelineOf, viewInstance } from '../services/instance-reads';
import { startApproval } from '../services/start-approval';

/** What an action may answer besides its input's problems: the workflow's refusals, and the users it names. */
const ACTION_ERRORS: ErrorCode[] = ['INSTANCE_NOT_FOUND', 'UNKNOWN_USER', ...ACTION_REFUSAL_CODES.map(errorCodeOfRefusal)];

const route = routesOf('instances');

/** Approval instances (SPEC §6): start, read, act. */
export const instanceRoutes: AnyRoute[] = [
  route(
    { operationId: 'listInstances', method: 'get', path: '/api/v1/instances', auth: 'signed', query: instanceListQuery },
    { summary: 'The instances of a source document (or system / type) or of an initiator, newest first', responses: okWith('a page', instancePage) },
    async ({ query: { limit, cursor, sourceSystem, sourceType, sourceId, ...filter }, deps }) => {
      const source =
        sourceSystem === undefined ? undefined : { system: sourceSystem, ...(sourceType ? { type: sourceType } : {}), ...(sourceId ? { id: sourceId } : {}) };
      return ok(await pagedOrBadCursor(() => listInstances(deps.db, { ...filter, ...(source ? { source } : {}) }, { limit, ...(cursor ? { cursor } : {}) })));
    },
  ),
  route(
    { operationId: 'getInstance', method: 'get', path: '/api/v1/instances/{id}', auth: 'signed', params: instanceParams },
    { summary: 'The instance view: status, current nodes, tasks, form', responses: okWith('the instance', instanceView), errors: ['INSTANCE_NOT_FOUND'] },
    async ({ params, deps }) => ok(await viewInstance(deps, params.id)),
  ),
  route(
    { operationId: 'getTimeline', method: 'get', path: '/api/v1/instances/{id}/timeline', auth: 'signed', params: instanceParams },
    { summary: 'The audit timeline, in order', responses: okWith('every event', timelineView), errors: ['INSTANCE_NOT_FOUND'] },
    async ({ params, deps }) => ok(await timelineOf(deps, params.id)),
  ),
  route(
    { operationId: 'getNotifications', method: 'get', path: '/api/v1/instances/{id}/notifications', auth: 'signed', params: instanceParams },
    {
      summary: 'The instance’s notifications and how their delivery went',
      description: 'Reminders, urges, cc notices, escalations, hand-overs and the result to the initiator, each sent once as a DingTalk work notification.',
      responses: okWith('every notification, oldest first', notificationList),
      errors: ['INSTANCE_NOT_FOUND'],
    },
    async ({ params, deps }) => {
      await viewInstance(deps, params.id);
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
    { operationId: 'actOnInstance', method: 'post', path: '/api/v1/instances/{id}/actions', auth: 'act_for', params: instanceParams, body: actionBody },
    {
      summary: 'Act for a user: approve, reject, transfer, add or remove signers, return, resubmit, revoke, withdraw, comment, urge',
      description:
        'A Workflow Update whose id is `actionId`: a repeat answers the first result and does nothing again. A refusal (403, 404, 409, 422) leaves no trace. The answer is the instance once the action has taken effect: it already holds the next pending task.',
      responses: okWith('the instance after the action', instanceView),
      errors: ACTION_ERRORS,
    },
    async ({ params, body, deps }) => ok(await actOnInstance(deps, params.id, body)),
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
];
