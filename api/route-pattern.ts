import type { Context } from 'hono';
import { routePath } from 'hono/route';

const isMiddlewareOnly = (pattern: string) => pattern === '' || pattern === '*' || pattern === '/*';

/**
 * The pattern of the route that answered, in the API's OpenAPI spelling (`/api/v1/instances/{id}`),
 * `unmatched` when none did; read after `next()`, when the route index is the handler that answered
 * (a guard that refused, or the route's own).
 */
export function answeringRoute(c: Context): string {
  const answering = routePath(c);
  const pattern = isMiddlewareOnly(answering) ? routePath(c, -1) : answering;
  return isMiddlewareOnly(pattern) ? 'unmatched' : pattern.replace(/:(\w+)/g, '{$1}');
}
