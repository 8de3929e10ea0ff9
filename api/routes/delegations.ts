import { listDelegations, revokeDelegation } from '../../db/delegations';
import { asJson } from '../contract/json';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError } from '../errors';
import { createDelegationBody, delegation, delegationList, delegationParams, listDelegationsQuery, revokedDelegation } from '../schemas/delegations';
import { recordDelegation } from '../services/delegation-records';

const route = routesOf('delegations');

/** 委托 (SPEC §5): an ERP records, lists and revokes delegations on its users' behalf. */
export const delegationRoutes: AnyRoute[] = [
  route(
    { operationId: 'listDelegations', method: 'get', path: '/api/v1/delegations', auth: 'act_for', query: listDelegationsQuery },
    { summary: 'Delegations, of one delegator or all', responses: okWith('the delegations', delegationList) },
    async ({ query, deps }) => ok({ items: asJson(await listDelegations(deps.db, query.delegatorId)) }),
  ),
  route(
    { operationId: 'createDelegation', method: 'post', path: '/api/v1/delegations', auth: 'act_for', body: createDelegationBody },
    {
      summary: 'Delegate a user’s tasks to another user for a period',
      description: 'Tasks created for the delegator in [startsAt, endsAt) — for the given flows, or all — go to the delegate.',
      responses: { 201: { description: 'recorded', schema: delegation } },
      errors: ['SELF_DELEGATION', 'UNKNOWN_USER', 'DELEGATION_OVERLAP'],
    },
    async ({ body, deps }) => ({ status: 201, body: asJson(await recordDelegation(deps, body)) }),
  ),
  route(
    { operationId: 'revokeDelegation', method: 'delete', path: '/api/v1/delegations/{id}', auth: 'act_for', params: delegationParams },
    { summary: 'Revoke a delegation', responses: okWith('revoked', revokedDelegation), errors: ['DELEGATION_NOT_FOUND'] },
    async ({ params, deps }) => {
      const revoked = await revokeDelegation(deps.db, params.id);
      if (!revoked) throw new ApiError('DELEGATION_NOT_FOUND', `no delegation "${params.id}"`);
      return ok(asJson(revoked));
    },
  ),
];
