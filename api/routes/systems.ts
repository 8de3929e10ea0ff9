import type { ApiDependencies } from '../context';
import { route } from '../contract/route';
import { registeredSystem, registerSystemBody, systemParams } from '../schemas/systems';
import { findRedactedSystem, registerSystem } from '../services/erp-system-registry';

/** ERP systems for `service` nodes and write-back (SPEC §8). */
export function systemRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'registerSystem',
        method: 'post',
        path: '/api/v1/systems',
        tag: 'systems',
        summary: 'Register (or replace) an ERP system: its base URL, authentication and operations',
        description:
          'Operation `path` and `body` may hold templates: `{{form.X}}`, `{{instance.id}}`, `{{businessKey}}`, `{{source.id}}`, `{{source.type}}`, `{{status}}`. Credentials are stored sealed (AES-256-GCM) and never read back.',
        auth: 'admin',
        body: registerSystemBody,
        responses: { 201: { description: 'registered', schema: registeredSystem }, 200: { description: 'replaced', schema: registeredSystem } },
        errors: [],
      },
      async ({ body }) => {
        const { created, system } = await registerSystem(deps, body);
        return { status: created ? 201 : 200, body: system };
      },
    ),
    route(
      {
        operationId: 'getSystem',
        method: 'get',
        path: '/api/v1/systems/{code}',
        tag: 'systems',
        summary: 'A registered ERP system, without its secrets',
        auth: 'admin',
        params: systemParams,
        responses: { 200: { description: 'the system', schema: registeredSystem } },
        errors: ['SYSTEM_NOT_FOUND'],
      },
      async ({ params }) => ({ status: 200, body: await findRedactedSystem(deps, params.code) }),
    ),
  ];
}
