import type { MiddlewareHandler } from 'hono';
import { httpRequestDuration, httpRequests } from '../observability/metrics';
import { answeringRoute } from './route-pattern';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The `route` label: the pattern of the route that answered as the API declares it
 * (`/api/v1/instances/{id}`, or `unmatched`: no route matched, whatever the path was), with every
 * page and asset of a browser app under its name (`h5`, `designer`).
 */
export function routeLabel(pattern: string): string {
  for (const app of ['h5', 'designer']) if (pattern === `/${app}` || pattern.startsWith(`/${app}/`)) return app;
  return pattern;
}

/** Counts and times every answer by method, route pattern and status. */
export const httpMetrics: MiddlewareHandler = async (c, next) => {
  const started = performance.now();
  try {
    await next();
  } finally {
    const labels = { method: METHODS.has(c.req.method) ? c.req.method : 'other', route: routeLabel(answeringRoute(c)), status: String(c.res.status) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, (performance.now() - started) / 1000);
  }
};
