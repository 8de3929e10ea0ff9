import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { currentLogFields, runWithLogFields, withLogFields } from '../observability/log-context';
import { logger } from '../observability/logger';
import type { ApiEnv } from './context';
import { routeLogFields } from './route-log-fields';
import { answeringRoute } from './route-pattern';

export const REQUEST_ID_HTTP_HEADER = 'X-Request-Id';

/** A caller's request id is kept when it is printable ASCII (no spaces) and at most 128 characters; any other gets a new one. */
const ACCEPTED_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Scraped or polled every few seconds: their access lines are debug lines. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The id a request runs under: the caller's when it is acceptable (above), else a new one. */
export function acceptedRequestId(given: string | undefined): string {
  return given !== undefined && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Every request runs in a log context of its own (observability/log-context.ts) under its request
 * id — the caller's `X-Request-Id` or a new one, answered in the same header — which the Temporal
 * client hands on to the workflow and its activities. One access line per request: method, route
 * pattern, status and duration, never a body or a header.
 */
export const requestContext: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const requestId = acceptedRequestId(c.req.header(REQUEST_ID_HTTP_HEADER));
  c.header(REQUEST_ID_HTTP_HEADER, requestId);
  const started = performance.now();
  await runWithLogFields({ requestId }, async () => {
    try {
      await next();
    } finally {
      const route = answeringRoute(c);
      // A request refused before its route ran (a bad signature) still names the instance it was for.
      const { instanceId } = routeLogFields(route, { params: c.req.param() });
      if (instanceId && !currentLogFields().instanceId) withLogFields({ instanceId });
      const line = { method: c.req.method, route, status: c.res.status, durationMs: Math.round(performance.now() - started) };
      if (QUIET_ROUTES.has(route)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    }
  });
};
