import { Hono } from 'hono';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { listInstances } from '../../db/instance-reads';
import { instanceListQuery } from '../list-schemas';
import { actionBody, compensationRetryBody, startInstanceBody } from '../schemas';
import { actOnInstance, retryCompensations, startApproval, timelineOf, viewInstance } from '../services/instance-service';
import { pagedOrBadCursor, validatedBody, validatedQuery } from '../validation';

export function instanceRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();

  routes.post('/', requireApp(deps, 'start'), async (c) => {
    const body = validatedBody(c, startInstanceBody);
    const answer = await startApproval(deps, c.get('caller').key, body);
    return c.json({ instanceId: answer.instanceId, flowVersion: answer.flowVersion, status: answer.status }, answer.created ? 201 : 200);
  });

  routes.get('/', requireApp(deps), async (c) => {
    const { limit, cursor, sourceSystem, sourceType, sourceId, ...filter } = validatedQuery(c, instanceListQuery);
    const source =
      sourceSystem === undefined ? undefined : { system: sourceSystem, ...(sourceType ? { type: sourceType } : {}), ...(sourceId ? { id: sourceId } : {}) };
    return c.json(await pagedOrBadCursor(() => listInstances(deps.db, { ...filter, ...(source ? { source } : {}) }, { limit, ...(cursor ? { cursor } : {}) })));
  });
  routes.get('/:id', requireApp(deps), async (c) => c.json(await viewInstance(deps, c.req.param('id'))));
  routes.get('/:id/timeline', requireApp(deps), async (c) => c.json(await timelineOf(deps, c.req.param('id'))));

  routes.post('/:id/actions', requireApp(deps, 'act_for'), async (c) => {
    const body = validatedBody(c, actionBody);
    return c.json(await actOnInstance(deps, c.req.param('id'), body));
  });

  routes.post('/:id/compensations/retry', requireApp(deps, 'admin'), async (c) => {
    const body = validatedBody(c, compensationRetryBody);
    return c.json(await retryCompensations(deps, c.req.param('id'), body.requestId, c.get('caller').key));
  });
  return routes;
}
