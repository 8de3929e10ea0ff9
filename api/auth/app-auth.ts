import type { Context, MiddlewareHandler } from 'hono';
import { consumeNonce, findApp } from '../../db/apps';
import { withLogFields } from '../../observability/log-context';
import type { AppPermission } from '../../db/schema';
import { checkSignature, replayedNonce } from '../../protocol/request-signature';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { spendRequest, type RateLimiter } from '../rate-limit';

/** The request target as the client sent it (path + query), which is what it signed. */
function requestTarget(c: Context<ApiEnv>): string {
  const raw = c.env?.incoming?.url;
  if (raw && raw.startsWith('/')) return raw;
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/**
 * Verifies SPEC §7's HMAC signature, the app's request rate and that the app holds `permission`.
 * Order matters: nothing is written unless the signature is good, the rate allows it and the
 * permission is held; the nonce is not even used here but by `useNonce`, once the route's inputs
 * passed their schemas (contract/register.ts). Only a verified request spends an app's rate, so
 * a forged one cannot use up a real app's; a replayed nonce gives its token back.
 */
export function requireApp(deps: ApiDependencies, permission?: AppPermission, limiter?: RateLimiter): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const request = { method: c.req.method, target: requestTarget(c), header: (name: string) => c.req.header(name), readBody: () => c.req.text() };
    let fromCache = false;
    let checked = await checkSignature(request, async (appKey) => {
      if (!deps.verifiedApps) return findApp(deps.db, deps.secretBox, appKey);
      const { app, cached } = await deps.verifiedApps.get(appKey);
      fromCache = cached;
      return app;
    });
    // Another API process may have rotated the secret since this one read the app.
    if (!checked.ok && fromCache && checked.code === 'BAD_SIGNATURE') checked = await checkSignature(request, (appKey) => deps.verifiedApps!.fresh(appKey));
    if (!checked.ok) throw new ApiError(checked.code, checked.message);
    const { app } = checked;
    withLogFields({ appKey: app.key });
    spendRequest(limiter, app.key, `app "${app.key}"`);
    if (permission && !app.permissions.includes(permission)) {
      throw new ApiError('PERMISSION_DENIED', `app "${app.key}" lacks the "${permission}" permission`);
    }
    c.set('caller', app);
    c.set('viewer', { kind: 'app', app });
    // Hono keeps the body it read for the signature: this reads no second time.
    c.set('rawBody', await c.req.text());
    c.set('useNonce', async () => {
      if (await consumeNonce(deps.db, app.key, checked.nonce, new Date(checked.nonceExpiresAt))) return;
      limiter?.refund(app.key);
      const replayed = replayedNonce(checked.nonce);
      throw new ApiError(replayed.code, replayed.message);
    });
    await next();
  };
}
