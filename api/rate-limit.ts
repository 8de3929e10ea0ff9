import type { RateLimit, RateLimitSettings } from '../config';
import { ApiError } from './errors';

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in the clock's milliseconds. */
  at: number;
}

/** Past this many buckets, the full ones (idle long enough to have refilled, so the same as none) are dropped. */
const SWEEP_ABOVE = 10_000;

/**
 * One token bucket per key (an app key, a user id), in this process's memory: each API process
 * counts on its own, so N processes behind a balancer let an app through at up to N times the
 * rate. The clock is injected (milliseconds, monotonic in production) so tests need no waiting.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new Error(`a rate limit needs perSecond > 0 and burst ≥ 1, got ${JSON.stringify(limit)}`);
  }

  /** Takes a token for `key`; when there is none, how many whole seconds (≥ 1) until there is. */
  take(key: string): TakeResult {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond)) };
  }

  /** Gives back a token taken for a request that turned out not to count (a replayed nonce: someone else's copy of a request). */
  refund(key: string): void {
    const bucket = this.refilled(key);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + 1);
  }

  /** How many buckets are kept (for tests of the sweep). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_ABOVE) this.sweep(now);
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.perSecond);
    bucket.at = now;
    return bucket;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
  }
}

/** The per-process limiters of an API: one bucket per app key, one per session user; unset: no limit. */
export interface RateLimiters {
  perApp?: RateLimiter;
  perUser?: RateLimiter;
}

export function rateLimitersOf(settings: RateLimitSettings | undefined, now?: () => number): RateLimiters {
  return {
    ...(settings?.perApp ? { perApp: new RateLimiter(settings.perApp, now) } : {}),
    ...(settings?.perUser ? { perUser: new RateLimiter(settings.perUser, now) } : {}),
  };
}

/** Takes a token of `key` from `limiter`, or throws 429 `RATE_LIMITED` with `Retry-After`. No limiter: no limit. */
export function spendRequest(limiter: RateLimiter | undefined, key: string, who: string): void {
  if (!limiter) return;
  const taken = limiter.take(key);
  if (taken.ok) return;
  const { perSecond, burst } = limiter.limit;
  throw new ApiError(
    'RATE_LIMITED',
    `${who} sent more than ${perSecond} requests a second (bursts up to ${burst}); retry after ${taken.retryAfterSeconds} s`,
    { retryAfterSeconds: taken.retryAfterSeconds, perSecond, burst },
    { 'Retry-After': String(taken.retryAfterSeconds) },
  );
}
