import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { MiddlewareHandler } from 'hono';
import { currentLogFields } from '../observability/log-context';
import type { ApiEnv } from './context';
import { answeringRoute } from './route-pattern';

const untraced: MiddlewareHandler<ApiEnv> = (_c, next) => next();

/**
 * One server span per request (named `METHOD /route/{pattern}` once the route is known), a child
 * of the caller's `traceparent` if it sent one. It is the active span while the route runs, so the
 * Temporal client's interceptor puts it into the headers of the start, update or signal it sends.
 */
export function requestTracing(tracer: Tracer | undefined): MiddlewareHandler<ApiEnv> {
  if (!tracer) return untraced;
  return async (c, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, c.req.header());
    const span = tracer.startSpan(c.req.method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: c.req.method } }, parent);
    const { requestId } = currentLogFields();
    if (requestId) span.setAttribute('requestId', requestId);
    try {
      await context.with(trace.setSpan(parent, span), () => next());
    } finally {
      const route = answeringRoute(c);
      span.updateName(`${c.req.method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, c.res.status);
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
