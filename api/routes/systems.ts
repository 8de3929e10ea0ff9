import { createdOrFound, createdOrOk, ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { listErpSystems } from '../../db/erp-systems';
import { registeredSystem, registerSystemBody, systemList, systemParams } from '../schemas/systems';
import { findRedactedSystem, registerSystem } from '../services/erp-system-registry';
import { assertDesignsSomeFlow } from '../services/flow-designers';

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
  route(
    { operationId: 'listSystems', method: 'get', path: '/api/v1/systems', auth: 'admin', sessions: true },
    {
      summary: 'The registered ERP systems and their operations, for the flow designer’s `service` nodes',
      description: 'No base URL, no credentials. Apps with `admin`; users who design some flow (an `approval_admin`, or one listed in a flow’s `admins`).',
      responses: okWith('the systems', systemList),
      errors: ['NOT_FLOW_ADMIN'],
    },
    async ({ viewer, deps }) => {
      await assertDesignsSomeFlow(deps, viewer);
      return ok({ items: await listErpSystems(deps.db) });
    },
  ),
];
