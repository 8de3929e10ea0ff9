import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { countedRoute } from '../action-metrics';
import { requireApp } from '../auth/app-auth';
import { requireSession, requireSessionOrApp } from '../auth/session-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError, validationFailed } from '../errors';
import { bodyLimitOf, limitBody } from '../limits';
import type { RateLimiters } from '../rate-limit';
import { fieldProblems, parseJson } from '../request-body';
import { routeLogFields } from '../route-log-fields';
import { withLogFields } from '../../observability/log-context';
import { isJsonResponse, type AnyRoute, type RouteSpec } from './route';
import { errorCodesOf } from './route-errors';

export interface MountOptions {
  /**
   * Check every answer against the route's declaration: a success body against its schema (no
   * undeclared field), an error code against the route's list. A mismatch answers 500. Tests
   * switch it on, so the whole suite holds the OpenAPI document to what the API does.
   */
  checkContract?: boolean;
  /** The request rates of apps and session users (this process's buckets); none: no limit. */
  rateLimiters?: RateLimiters;
}

/** Hono spells path parameters `:id`, OpenAPI `{id}`. */
export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function validated<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationFailed(fieldProblems(parsed.error.issues, prefix));
  return parsed.data;
}

async function inputOf(spec: RouteSpec, deps: ApiDependencies, c: Context<ApiEnv>) {
  const params = spec.params ? validated(spec.params, c.req.param(), '') : undefined;
  const query = spec.query ? validated(spec.query, c.req.query(), 'query.') : undefined;
  let body: unknown;
  if (spec.body) {
    const raw = spec.auth === 'none' ? await c.req.text() : c.get('rawBody');
    body = spec.bodyCheckedByHandler ? parseJson(raw) : validated(spec.body, parseJson(raw), '');
  }
  const authenticated = spec.auth !== 'none';
  return { params, query, body, caller: authenticated ? c.get('caller') : undefined, viewer: authenticated ? c.get('viewer') : undefined, deps, c };
}

function guardsOf(spec: RouteSpec, deps: ApiDependencies, limiters: RateLimiters) {
  if (spec.auth === 'none') return [];
  if (spec.auth === 'session') return [requireSession(deps, limiters.perUser)];
  const appGuard = requireApp(deps, spec.auth === 'signed' ? undefined : spec.auth, limiters.perApp);
  return [spec.sessions ? requireSessionOrApp(deps, appGuard, limiters.perUser) : appGuard];
}

/**
 * Mounts each route: its body size, its signature, rate and permission check, then its inputs
 * validated, then the signed request's nonce used, then its handler. What is refused before the
 * handler runs writes nothing, not even the nonce.
 */
export function mountRoutes(app: Hono<ApiEnv>, routes: readonly AnyRoute[], deps: ApiDependencies, options: MountOptions = {}): void {
  for (const { spec, handle } of routes) {
    app.on(spec.method.toUpperCase(), [honoPath(spec.path)], limitBody(bodyLimitOf(spec)), ...guardsOf(spec, deps, options.rateLimiters ?? {}), async (c) => {
      let reply;
      try {
        const input = await inputOf(spec, deps, c);
        withLogFields(routeLogFields(spec.path, input));
        if (spec.auth !== 'none') await c.get('useNonce')?.();
        reply = await countedRoute(spec.operationId, input, () => handle(input));
      } catch (err) {
        if (options.checkContract && err instanceof ApiError && !errorCodesOf(spec).includes(err.code)) {
          throw new Error(`${spec.operationId} answered ${err.code}, which its declaration does not list`, { cause: err });
        }
        throw err;
      }
      if (reply instanceof Response) return reply;
      if (options.checkContract) checkReply(spec, reply);
      return c.json(reply.body, reply.status);
    });
  }
}

function checkReply(spec: RouteSpec, reply: { status: number; body: unknown }): void {
  const declared = spec.responses[reply.status as keyof RouteSpec['responses']];
  if (!declared || !isJsonResponse(declared)) throw new Error(`${spec.operationId} answered ${reply.status}, which its declaration does not list`);
  const json: unknown = JSON.parse(JSON.stringify(reply.body));
  const parsed = declared.schema.safeParse(json);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error.issues).map((p) => `${p.field}: ${p.message}`);
    throw new Error(`${spec.operationId} ${reply.status} does not match its schema: ${problems.join('; ')}`);
  }
  const undeclared = undeclaredField(json, parsed.data, '');
  if (undeclared) throw new Error(`${spec.operationId} ${reply.status} answers "${undeclared}", which its schema does not declare`);
}

/** The first field of `sent` that parsing dropped (zod objects strip what they do not declare). */
function undeclaredField(sent: unknown, kept: unknown, path: string): string | undefined {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    for (const [i, item] of sent.entries()) {
      const found = undeclaredField(item, kept[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (sent && typeof sent === 'object' && kept && typeof kept === 'object') {
    for (const [key, value] of Object.entries(sent)) {
      const field = path ? `${path}.${key}` : key;
      if (!(key in kept)) return field;
      const found = undeclaredField(value, (kept as Record<string, unknown>)[key], field);
      if (found) return found;
    }
  }
  return undefined;
}
