import { Hono } from 'hono';
import { logger } from '../observability/logger';
import type { ApiDependencies, ApiEnv } from './context';
import { openApiDocument } from './contract/openapi';
import { mountRoutes } from './contract/register';
import type { AnyRoute } from './contract/route';
import { isDependencyOutage } from './dependency-outage';
import { ApiError } from './errors';
import { DESIGNER_APP, H5_APP, mountWebApp } from './web-app-pages';
import { httpMetrics } from './http-metrics';
import { refuseNulCharacters } from './nul-characters';
import { rateLimitersOf } from './rate-limit';
import { VerifiedApps } from './auth/verified-apps';
import { findApp } from '../db/apps';
import { requestContext } from './request-context';
import { requestTracing } from './request-tracing';
import { definitionRoutes } from './routes/definitions';
import { delegationRoutes } from './routes/delegations';
import { dingTalkRoutes } from './routes/dingtalk';
import { docsRoutes } from './routes/docs';
import { instanceRoutes } from './routes/instances';
import { appRoutes } from './routes/apps';
import { opsRoutes } from './routes/ops';
import { orgRoutes } from './routes/org';
import { sessionRoutes } from './routes/sessions';
import { systemRoutes } from './routes/systems';
import { taskRoutes } from './routes/tasks';
import { webhookRoutes } from './routes/webhooks';

const API_VERSION = '1.0.0';

/** Every route of the API, each declared once (method, path, auth, schemas, errors), and the document they make. */
const ROUTES: AnyRoute[] = [
  ...opsRoutes,
  ...instanceRoutes,
  ...taskRoutes,
  ...definitionRoutes,
  ...orgRoutes,
  ...delegationRoutes,
  ...systemRoutes,
  ...appRoutes,
  ...webhookRoutes,
  ...dingTalkRoutes,
  ...sessionRoutes,
];
let document: object | undefined;
const DOCS = docsRoutes(() => (document ??= openApiDocument(API_ROUTES, API_VERSION)));
export const API_ROUTES: readonly AnyRoute[] = [...ROUTES, ...DOCS];

export function createApi(given: ApiDependencies) {
  const deps: ApiDependencies = { ...given, verifiedApps: given.verifiedApps ?? new VerifiedApps((key) => findApp(given.db, given.secretBox, key)) };
  const app = new Hono<ApiEnv>();
  // First: every later middleware, route and log line runs within the request's context.
  app.use('*', requestContext);
  app.use('*', requestTracing(deps.tracer));
  app.use('*', httpMetrics);
  app.use('*', refuseNulCharacters);
  // This process's request-rate buckets (config/index.ts); an app built only to read its route table has no config.
  const rateLimiters = rateLimitersOf(deps.config?.rateLimits);
  mountRoutes(app, API_ROUTES, deps, { checkContract: deps.checkContract === true, rateLimiters });
  mountWebApp(app, deps, H5_APP);
  mountWebApp(app, deps, DESIGNER_APP);
  app.notFound((c) => c.json(new ApiError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`).toBody(), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status, err.headers ? { ...err.headers } : undefined);
    if (isDependencyOutage(err)) {
      logger.warn({ method: c.req.method, path: c.req.path, error: String(err) }, 'dependency unavailable');
      return c.json(new ApiError('UNAVAILABLE', 'PostgreSQL or Temporal is not reachable right now; send the same request again').toBody(), 503, {
        'Retry-After': '1',
      });
    }
    logger.error({ method: c.req.method, path: c.req.path, err }, 'unhandled API error');
    return c.json(new ApiError('INTERNAL', 'internal error').toBody(), 500);
  });
  return app;
}
