import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createDelegation, DelegationRefusedError, listDelegations, revokeDelegation, type DelegationRefusal } from '../../db/delegations';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { createDelegationBody, listDelegationsQuery } from '../org-schemas';
import { validatedBody, validatedQuery } from '../validation';

const REFUSAL_ANSWERS: Record<DelegationRefusal, { status: ContentfulStatusCode; code: string }> = {
  SELF_DELEGATION: { status: 422, code: 'SELF_DELEGATION' },
  UNKNOWN_USER: { status: 422, code: 'UNKNOWN_USER' },
  INVALID_PERIOD: { status: 400, code: 'VALIDATION_FAILED' },
  DELEGATION_OVERLAP: { status: 409, code: 'DELEGATION_OVERLAP' },
};

/** 委托 (SPEC §5): an ERP records, lists and revokes delegations on its users' behalf. */
export function delegationRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps, 'act_for'));

  routes.post('/', async (c) => {
    const body = validatedBody(c, createDelegationBody);
    try {
      const created = await createDelegation(deps.db, { ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) });
      return c.json(created, 201);
    } catch (err) {
      if (!(err instanceof DelegationRefusedError)) throw err;
      const answer = REFUSAL_ANSWERS[err.reason];
      throw new ApiError(answer.status, answer.code, err.message);
    }
  });

  routes.get('/', async (c) => {
    const query = validatedQuery(c, listDelegationsQuery);
    return c.json({ items: await listDelegations(deps.db, query.delegatorId) });
  });

  routes.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const revoked = await revokeDelegation(deps.db, id);
    if (!revoked) throw new ApiError(404, 'DELEGATION_NOT_FOUND', `no delegation "${id}"`);
    return c.json(revoked);
  });
  return routes;
}
