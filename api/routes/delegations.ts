import { listDelegations, revokeDelegation } from '../../db/delegations';
import type { ApiDependencies } from '../context';
import { asJson } from '../contract/json';
import { route } from '../contract/route';
import { ApiError } from '../errors';
import { createDelegationBody, delegation, delegationList, delegationParams, listDelegationsQuery, revokedDelegation } from '../schemas/delegations';
import { recordDelegation } from '../services/delegation-records';

/** 委托 (SPEC §5): an ERP records, lists and revokes delegations on its users' behalf. */
export function delegationRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'createDelegation',
        method: 'post',
        path: '/api/v1/delegations',
        tag: 'delegations',
        summary: 'Delegate a user’s tasks to another user for a period',
        description: 'Tasks created for the delegator in [startsAt, endsAt) — for the given flows, or all — go to the delegate.',
        auth: 'act_for',
        body: createDelegationBody,
        responses: { 201: { description: 'recorded', schema: delegation } },
        errors: ['SELF_DELEGATION', 'UNKNOWN_USER', 'DELEGATION_OVERLAP'],
      },
      async ({ body }) => ({ status: 201, body: asJson(await recordDelegation(deps, body)) }),
    ),
    route(
      {
        operationId: 'listDelegations',
        method: 'get',
        path: '/api/v1/delegations',
        tag: 'delegations',
        summary: 'Delegations, of one delegator or all',
        auth: 'act_for',
        query: listDelegationsQuery,
        responses: { 200: { description: 'the delegations', schema: delegationList } },
        errors: [],
      },
      async ({ query }) => ({ status: 200, body: { items: asJson(await listDelegations(deps.db, query.delegatorId)) } }),
    ),
    route(
      {
        operationId: 'revokeDelegation',
        method: 'delete',
        path: '/api/v1/delegations/{id}',
        tag: 'delegations',
        summary: 'Revoke a delegation',
        auth: 'act_for',
        params: delegationParams,
        responses: { 200: { description: 'revoked', schema: revokedDelegation } },
        errors: ['DELEGATION_NOT_FOUND'],
      },
      async ({ params }) => {
        const revoked = await revokeDelegation(deps.db, params.id);
        if (!revoked) throw new ApiError('DELEGATION_NOT_FOUND', `no delegation "${params.id}"`);
        return { status: 200, body: asJson(revoked) };
      },
    ),
  ];
}
