/**
 * The app's one access token (DINGTALK.md "Access token"): fetched on first use, refreshed ten
 * minutes before it expires, shared by concurrent callers (one request in flight at a time), and
 * dropped when DingTalk refuses it. The same token serves both hosts.
 */

export interface AccessToken {
  accessToken: string;
  /** Seconds. */
  expireIn: number;
}

export interface AccessTokenSource {
  get(): Promise<string>;
  /** Drops `token` if it is still the cached one (a newer token fetched meanwhile is kept); without an argument, drops whatever is cached. */
  invalidate(token?: string): void;
}

export const TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;

interface Cached {
  token: string;
  refreshAt: number;
}

/** When to stop using a token: the margin before expiry, or halfway for a token that lives less than twice the margin. */
export function refreshTimeOf(obtainedAt: number, expireInSeconds: number): number {
  const lifetimeMs = expireInSeconds * 1000;
  return obtainedAt + lifetimeMs - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2);
}

export function createAccessTokenCache(fetchToken: () => Promise<AccessToken>, now: () => number): AccessTokenSource {
  let cached: Cached | undefined;
  let inFlight: Promise<string> | undefined;

  function refresh(): Promise<string> {
    if (!inFlight) {
      const obtainedAt = now();
      inFlight = Promise.resolve()
        .then(fetchToken)
        .then((fetched) => {
          cached = { token: fetched.accessToken, refreshAt: refreshTimeOf(obtainedAt, fetched.expireIn) };
          return fetched.accessToken;
        })
        .finally(() => {
          inFlight = undefined;
        });
    }
    return inFlight;
  }

  return {
    get: () => (cached && now() < cached.refreshAt ? Promise.resolve(cached.token) : refresh()),
    invalidate(token) {
      if (token === undefined || cached?.token === token) cached = undefined;
    },
  };
}
