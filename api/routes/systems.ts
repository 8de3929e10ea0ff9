import { createdOrFound, createdOrOk, ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { registeredSystem, registerSystemBody, systemParams } from '../schemas/systems';
import { findRedactedSystem, registerSystem } from '../services/erp-system-registry';

const route = routesOf('systems');

/** ERP systems for `service` nodes and write-back (SPEC §8). */
export const systemRoutes: AnyRoute[] = [
  route(
    { operationId: 'registerSystem', method: 'post', path: '/api/v1/systems', auth: 'admin', body: registerSystemBody },
    {
      summary: 'Register (or replace) an ERP system: its base URL, authentication and operations',
      description: 'Credentials are stored sealed (AES-256-GCM) and never read back; operation paths and bodies may hold `{{…}}` templates.',
      responses: createdOrFound(registeredSystem, 'registered', 'replaced'),
    },
    async ({ body, deps }) => {
      const { created, system } = await registerSystem(deps, body);
      return createdOrOk(created, system);
    },
  ),
  route(
    { operationId: 'getSystem', method: 'get', path: '/api/v1/systems/{code}', auth: 'admin', params: systemParams },
    { summary: 'A registered ERP system, without its secrets', responses: okWith('the system', registeredSystem), errors: ['SYSTEM_NOT_FOUND'] },
    async ({ params, deps }) => ok(await findRedactedSystem(deps, params.code)),
  ),
];
