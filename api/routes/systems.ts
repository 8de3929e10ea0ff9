import { Hono } from 'hono';
import { findErpSystem, upsertErpSystem, type ErpAuth, type ErpSystem } from '../../db/erp-systems';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { registerSystemBody } from '../system-schemas';
import { validatedBody } from '../validation';

/** The auth with its secret parts left out: what an answer may show. */
function redactedAuth(auth: ErpAuth): { type: 'hmac'; appKey: string } | { type: 'bearer' } | { type: 'none' } {
  switch (auth.type) {
    case 'hmac':
      return { type: 'hmac', appKey: auth.appKey };
    case 'bearer':
      return { type: 'bearer' };
    case 'none':
      return { type: 'none' };
  }
}

function redacted(system: ErpSystem) {
  return {
    code: system.code,
    ...(system.name !== undefined ? { name: system.name } : {}),
    baseUrl: system.baseUrl,
    auth: redactedAuth(system.auth),
    operations: system.operations,
    ...(system.writeBack !== undefined ? { writeBack: system.writeBack } : {}),
  };
}

/** ERP systems for `service` nodes and write-back (SPEC §8); secrets go in, never come out. */
export function systemRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps, 'admin'));

  routes.post('/', async (c) => {
    const body = validatedBody(c, registerSystemBody);
    const system: ErpSystem = {
      code: body.code,
      ...(body.name !== undefined ? { name: body.name } : {}),
      baseUrl: body.baseUrl,
      auth: body.auth,
      operations: body.operations,
      ...(body.writeBack !== undefined ? { writeBack: body.writeBack } : {}),
    };
    const { created } = await upsertErpSystem(deps.db, deps.secretBox, system);
    return c.json(redacted(system), created ? 201 : 200);
  });

  routes.get('/:code', async (c) => {
    const code = c.req.param('code');
    const system = await findErpSystem(deps.db, deps.secretBox, code);
    if (!system) throw new ApiError(404, 'SYSTEM_NOT_FOUND', `no ERP system "${code}"`);
    return c.json(redacted(system));
  });
  return routes;
}
