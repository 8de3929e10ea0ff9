import { listInstances } from '../../db/instance-reads';
import type { ApiDependencies } from '../context';
import { route } from '../contract/route';
import { pagedOrBadCursor } from '../paging';
import { actionBody, compensationRetryBody } from '../schemas/actions';
import { instanceListQuery, instancePage, instanceParams, instanceView, startAnswer, startInstanceBody, timelineView } from '../schemas/instances';
import { actOnInstance, retryCompensations } from '../services/instance-actions';
import { timelineOf, viewInstance } from '../services/instance-reads';
import { startApproval } from '../services/start-approval';

const REFUSALS = [
  'INSTANCE_NOT_FOUND',
  'INSTANCE_NOT_RUNNING',
  'TASK_NOT_FOUND',
  'NOT_ASSIGNEE',
  'NOT_INITIATOR',
  'NOT_PARTICIPANT',
  'TASK_NOT_PENDING',
  'NOT_RETURNED',
  'NOTHING_TO_REMOVE',
  'REVOKE_NOT_ALLOWED',
  'NOTHING_TO_URGE',
  'URGE_TOO_SOON',
  'INVALID_TARGET_NODE',
  'TRANSFER_TO_SELF',
  'ALREADY_ASSIGNEE',
  'INVALID_SIGNERS',
  'UNKNOWN_USER',
] as const;

/** Approval instances (SPEC §6): start, read, act. */
export function instanceRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'startInstance',
        method: 'post',
        path: '/api/v1/instances',
        tag: 'instances',
        summary: 'Start an approval for a business document',
        description:
          'Starts an instance of the flow’s latest published version. The instance id is `approval:{flowCode}:{businessKey}`: the same payload again answers 200 with the same instance; a different payload 409.',
        auth: 'start',
        body: startInstanceBody,
        responses: { 201: { description: 'started', schema: startAnswer }, 200: { description: 'started before with the same payload', schema: startAnswer } },
        errors: ['FLOW_NOT_FOUND', 'UNKNOWN_USER', 'BUSINESS_KEY_CONFLICT'],
      },
      async ({ body, caller }) => {
        const { created, ...answer } = await startApproval(deps, caller.key, body);
        return { status: created ? 201 : 200, body: answer };
      },
    ),
    route(
      {
        operationId: 'listInstances',
        method: 'get',
        path: '/api/v1/instances',
        tag: 'instances',
        summary: 'The instances of a source document (or system / type) or of an initiator, newest first',
        auth: 'signed',
        query: instanceListQuery,
        responses: { 200: { description: 'a page', schema: instancePage } },
        errors: [],
      },
      async ({ query: { limit, cursor, sourceSystem, sourceType, sourceId, ...filter } }) => {
        const source =
          sourceSystem === undefined ? undefined : { system: sourceSystem, ...(sourceType ? { type: sourceType } : {}), ...(sourceId ? { id: sourceId } : {}) };
        const page = await pagedOrBadCursor(() =>
          listInstances(deps.db, { ...filter, ...(source ? { source } : {}) }, { limit, ...(cursor ? { cursor } : {}) }),
        );
        return { status: 200, body: page };
      },
    ),
    route(
      {
        operationId: 'getInstance',
        method: 'get',
        path: '/api/v1/instances/{id}',
        tag: 'instances',
        summary: 'The instance view: status, current nodes, tasks, form',
        auth: 'signed',
        params: instanceParams,
        responses: { 200: { description: 'the instance', schema: instanceView } },
        errors: ['INSTANCE_NOT_FOUND'],
      },
      async ({ params }) => ({ status: 200, body: await viewInstance(deps, params.id) }),
    ),
    route(
      {
        operationId: 'getTimeline',
        method: 'get',
        path: '/api/v1/instances/{id}/timeline',
        tag: 'instances',
        summary: 'The audit timeline, in order',
        auth: 'signed',
        params: instanceParams,
        responses: { 200: { description: 'every event', schema: timelineView } },
        errors: ['INSTANCE_NOT_FOUND'],
      },
      async ({ params }) => ({ status: 200, body: await timelineOf(deps, params.id) }),
    ),
    route(
      {
        operationId: 'actOnInstance',
        method: 'post',
        path: '/api/v1/instances/{id}/actions',
        tag: 'instances',
        summary: 'Act for a user: approve, reject, transfer, add or remove signers, return, resubmit, revoke, withdraw, comment, urge',
        description:
          'A Workflow Update whose id is `actionId`: a repeat answers the first result and does nothing again. A refusal (403, 404, 409, 422) leaves no trace. The answer is the instance once the action has taken effect: it already holds the next pending task.',
        auth: 'act_for',
        params: instanceParams,
        body: actionBody,
        responses: { 200: { description: 'the instance after the action', schema: instanceView } },
        errors: REFUSALS,
      },
      async ({ params, body }) => ({ status: 200, body: await actOnInstance(deps, params.id, body) }),
    ),
    route(
      {
        operationId: 'retryCompensations',
        method: 'post',
        path: '/api/v1/instances/{id}/compensations/retry',
        tag: 'instances',
        summary: 'Ops: run the failed compensations of a compensation_failed instance again',
        auth: 'admin',
        params: instanceParams,
        body: compensationRetryBody,
        responses: { 200: { description: 'the instance, compensating again', schema: instanceView } },
        errors: ['INSTANCE_NOT_FOUND', 'INSTANCE_NOT_COMPENSATION_FAILED'],
      },
      async ({ params, body, caller }) => ({ status: 200, body: await retryCompensations(deps, params.id, body.requestId, caller.key) }),
    ),
  ];
}
