import { createdOrFound, createdOrOk, ok, routesOf, type AnyRoute } from '../contract/route';
import { registeredSystem, registerSystemBody, systemParams } from '../schemas/systems';
import { findRedactedSystem, registerSystem } from '../services/erp-system-registry';

const route = routesOf('systems');

/** ERP systems for `service` nodes and write-back (SPEC §8). */
export const systemRoutes: AnyRoute[] = [
  route(
    { operationId: 'getSystem', method: 'get', path: '/api/v1/systems/{code}', auth: 'admin', params: systemParams },
    {
      summary: 'A registered ERP system, without its secrets',
      responses: { 200: { description: 'the system', schema: registeredSystem } },
      errors: ['SYSTEM_NOT_FOUND'],
    },
    async ({ params, deps }) => ok(await findRedactedSystem(deps, params.code)),
  ),
  route(
    { operationId: 'registerSystem', method: 'post', path: '/api/v1/systems', auth: 'admin', body: registerSystemBody },
    {
      summary: 'Register (or replace) an ERP system: its base URL, authentication and operations',
      description:
        'Operation `path` and `body` may hold templates: `{{form.X}}`, `{{instance.id}}`, `{{businessKey}}`, `{{source.id}}`, `{{source.type}}`, `{{status}}`. Credentials are stored sealed (AES-256-GCM) and never read back.',
      responses: createdOrFound(registeredSystem, 'registered', 'replaced'),
    },
    async ({ body, deps }) => {
      const { created, system } = await registerSystem(deps, body);
      return createdOrOk(created, system);
    },
  ),
];
