import { Hono } from 'hono';
import type { ApiDependencies, ApiEnv } from './context';
import { ApiError } from './errors';
import { refuseNulCharacters } from './nul-characters';
import { adminRoutes } from './routes/admin';
import { definitionPreviewRoutes, definitionRoutes } from './routes/definitions';
import { delegationRoutes } from './routes/delegations';
import { healthRoutes } from './routes/health';
import { instanceRoutes } from './routes/instances';
import { syncRoutes } from './routes/sync';
import { systemRoutes } from './routes/systems';
import { taskRoutes } from './routes/tasks';
import { webhookRoutes } from './routes/webhooks';

export function createApi(deps: ApiDependencies) {
  const app = new Hono<ApiEnv>();
  app.use('*', refuseNulCharacters);
  app.route('/', healthRoutes(deps));
  app.route('/api/v1/definitions', definitionPreviewRoutes(deps));
  app.route('/api/v1/definitions', definitionRoutes(deps));
  app.route('/api/v1/instances', instanceRoutes(deps));
  app.route('/api/v1/tasks', taskRoutes(deps));
  app.route('/api/v1/sync', syncRoutes(deps));
  app.route('/api/v1/delegations', delegationRoutes(deps));
  app.route('/api/v1/systems', systemRoutes(deps));
  app.route('/api/v1/webhooks', webhookRoutes(deps));
  app.route('/api/v1/admin', adminRoutes(deps));

  app.notFound((c) => c.json(new ApiError(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status);
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled API error', method: c.req.method, path: c.req.path, error: String(err), stack: err.stack }));
    return c.json(new ApiError(500, 'INTERNAL', 'internal error').toBody(), 500);
  });
  return app;
}
