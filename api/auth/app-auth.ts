import type { Context, MiddlewareHandler } from 'hono';
import { consumeNonce, findApp } from '../../db/apps';
import type { AppPermission } from '../../db/schema';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { SIGNATURE_HEADERS, SIGNATURE_WINDOW_MS, signatureMatches, timestampWithinWindow } from './signature';

/** The request target as the client sent it (path + query), which is what it signed. */
function requestTarget(c: Context<ApiEnv>): string {
  const raw = c.env?.incoming?.url;
  if (raw && raw.startsWith('/')) return raw;
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/**
 * Verifies SPEC §7's HMAC signature and that the app holds `permission`. Order matters: nothing
 * is written (not even the nonce) unless the signature is good and the permission held.
 */
export function requireApp(deps: ApiDependencies, permission?: AppPermission): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const appKey = c.req.header(SIGNATURE_HEADERS.appKey);
    const timestamp = c.req.header(SIGNATURE_HEADERS.timestamp);
    const nonce = c.req.header(SIGNATURE_HEADERS.nonce);
    const signature = c.req.header(SIGNATURE_HEADERS.signature);
    if (!appKey || !timestamp || !nonce || !signature) {
      const missing = Object.values(SIGNATURE_HEADERS).filter((h) => !c.req.header(h));
      throw new ApiError(401, 'MISSING_SIGNATURE', `signed request headers missing: ${missing.join(', ')}`);
    }
    if (nonce.length > 128) throw new ApiError(401, 'BAD_SIGNATURE', 'X-Nonce is longer than 128 characters');
    const app = await findApp(deps.db, deps.secretBox, appKey);
    if (!app) throw new ApiError(401, 'UNKNOWN_APP', `no app with key "${appKey}"`);
    const now = Date.now();
    if (!timestampWithinWindow(timestamp, now)) {
      throw new ApiError(401, 'STALE_TIMESTAMP', `X-Timestamp must be unix milliseconds within ${SIGNATURE_WINDOW_MS / 1000} s of server time (${now})`);
    }
    const rawBody = await c.req.text();
    const parts = { method: c.req.method, path: requestTarget(c), timestamp, nonce, body: rawBody };
    if (!signatureMatches(app.secret, parts, signature.toLowerCase())) {
      throw new ApiError(401, 'BAD_SIGNATURE', 'X-Signature does not match HMAC-SHA256(secret, METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(BODY))');
    }
    if (permission && !app.permissions.includes(permission)) {
      throw new ApiError(403, 'PERMISSION_DENIED', `app "${app.key}" lacks the "${permission}" permission`);
    }
    const expiresAt = new Date(Number(timestamp) + SIGNATURE_WINDOW_MS);
    if (!(await consumeNonce(deps.db, app.key, nonce, expiresAt))) {
      throw new ApiError(401, 'REPLAYED_NONCE', `nonce "${nonce}" was already used`);
    }
    c.set('caller', app);
    c.set('rawBody', rawBody);
    await next();
  };
}
