/**
 * Our side of DingTalk's 20 QPS per app and API: a token bucket per API name, holding one second's
 * worth of calls. A caller over the limit reserves the next free slot and waits for it, so
 * concurrent callers are served in order without polling.
 */

export interface RateLimiter {
  /** Resolves when a call of `api` may go out. */
  acquire(api: string): Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export const DEFAULT_RATE_LIMIT_PER_SECOND = 20;

export function createRateLimiter(options: { perSecond?: number; now: () => number; sleep: (ms: number) => Promise<void> }): RateLimiter {
  const perSecond = options.perSecond ?? DEFAULT_RATE_LIMIT_PER_SECOND;
  if (!(perSecond > 0)) throw new RangeError(`rate limit must be positive, got ${perSecond}`);
  const buckets = new Map<string, Bucket>();
  return {
    async acquire(api) {
      const now = options.now();
      const bucket = buckets.get(api) ?? { tokens: perSecond, updatedAt: now };
      bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.updatedAt) * perSecond) / 1000) - 1;
      bucket.updatedAt = now;
      buckets.set(api, bucket);
      // A negative balance is the queue of callers already waiting; this one waits behind them.
      if (bucket.tokens < 0) await options.sleep(Math.ceil((-bucket.tokens * 1000) / perSecond));
    },
  };
}
