import type { MiddlewareHandler } from 'hono';
import { findSessionUser } from '../../db/sessions';
import { withLogFields } from '../../observability/log-context';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { spendRequest, type RateLimiter } from '../rate-limit';

/** The token of `Authorization: Bearer <token>`, if the request carries one. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/** A user's session (SPEC §7): live, not revoked, its user still active, within the user's request rate. Sets the viewer to that user. */
export function requireSession(deps: ApiDependencies, limiter?: RateLimiter): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const token = bearerTokenOf(c.req.header('authorization'));
    if (!token) throw new ApiError('SESSION_REQUIRED', 'this route needs a user session: Authorization: Bearer <token>');
    const user = await findSessionUser(deps.db, token);
    if (!user) throw new ApiError('SESSION_INVALID', 'the session is unknown, expired or revoked: log in again');
    spendRequest(limiter, user.id, `user "${user.id}"`);
    c.set('viewer', { kind: 'user', user, token });
    withLogFields({ userId: user.id });
    c.set('rawBody', await c.req.text());
    await next();
  };
}

/** Routes users and apps share: a Bearer token is a user's session, anything else must be an app's signature. */
export function requireSessionOrApp(deps: ApiDependencies, appGuard: MiddlewareHandler<ApiEnv>, limiter?: RateLimiter): MiddlewareHandler<ApiEnv> {
  const sessionGuard = requireSession(deps, limiter);
  return (c, next) => (bearerTokenOf(c.req.header('authorization')) ? sessionGuard(c, next) : appGuard(c, next));
}
