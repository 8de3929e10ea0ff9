import { ApiError } from './errors';
import { RateLimiter, rateLimitersOf, spendRequest } from './rate-limit';

/** A clock the test moves by hand: no waiting, no timing asserts. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter (a token bucket per key)', () => {
  it('lets a full burst through at once, then refuses with the whole seconds until a token is back', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, clock.now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    // Empty; 2 tokens a second: one token is 0.5 s away, which rounds up to 1 s.
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('refills at its rate and never beyond the burst', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, clock.now);
    for (let i = 0; i < 3; i += 1) limiter.take('a');
    clock.advance(500);
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a').ok).toBe(false);
    clock.advance(60_000);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')].map((t) => t.ok)).toEqual([true, true, true, false]);
  });

  it('a refused request takes nothing: it does not push the next token further away', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock.now);
    expect(limiter.take('a').ok).toBe(true);
    for (let i = 0; i < 10; i += 1) expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.advance(1_000);
    expect(limiter.take('a').ok).toBe(true);
  });

  it('answers Retry-After in whole seconds, at least 1, for slow rates too', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 }, clock.now);
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
    clock.advance(9_500);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('keeps one bucket per key: one app’s burst does not spend another’s', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock.now);
    expect(limiter.take('app-a').ok).toBe(true);
    expect(limiter.take('app-a').ok).toBe(false);
    expect(limiter.take('app-b').ok).toBe(true);
  });

  it('a refund gives the token back (a replayed nonce), up to the burst', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, clock.now);
    limiter.take('a');
    limiter.take('a');
    limiter.refund('a');
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    limiter.refund('b');
    limiter.refund('b');
    expect([limiter.take('b'), limiter.take('b'), limiter.take('b')].map((t) => t.ok)).toEqual([true, true, false]);
  });

  it('a clock that steps back refills nothing', () => {
    const clock = manualClock(10_000);
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock.now);
    limiter.take('a');
    clock.advance(-5_000);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('drops the buckets that have refilled once it tracks many keys (they are the same as none)', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock.now);
    for (let i = 0; i < 10_000; i += 1) limiter.take(`k${i}`);
    expect(limiter.size).toBe(10_000);
    limiter.take('k0'); // still empty: the sweep must keep it
    clock.advance(2_000);
    limiter.take('fresh');
    expect(limiter.size).toBe(1);
    expect(limiter.take('fresh').ok).toBe(false);
  });

  it('refuses settings that would let nothing through', () => {
    expect(() => new RateLimiter({ perSecond: 0, burst: 1 })).toThrow(/perSecond/);
    expect(() => new RateLimiter({ perSecond: 1, burst: 0 })).toThrow(/burst/);
  });
});

describe('spendRequest', () => {
  it('without a limiter, lets everything through', () => {
    expect(() => spendRequest(undefined, 'a', 'app "a"')).not.toThrow();
    expect(rateLimitersOf(undefined)).toEqual({});
    expect(rateLimitersOf({})).toEqual({});
  });

  it('throws 429 RATE_LIMITED with Retry-After once the bucket is empty', () => {
    const clock = manualClock();
    const { perApp, perUser } = rateLimitersOf({ perApp: { perSecond: 1, burst: 1 } }, clock.now);
    expect(perUser).toBeUndefined();
    spendRequest(perApp, 'erp', 'app "erp"');
    let thrown: unknown;
    try {
      spendRequest(perApp, 'erp', 'app "erp"');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    const error = thrown as ApiError;
    expect([error.status, error.code, error.headers]).toEqual([429, 'RATE_LIMITED', { 'Retry-After': '1' }]);
    expect(error.message).toBe('app "erp" sent more than 1 requests a second (bursts up to 1); retry after 1 s');
    expect(error.details).toEqual({ retryAfterSeconds: 1, perSecond: 1, burst: 1 });
  });
});
