import { createRateLimiter } from './rate-limiter';

function limiter(perSecond: number) {
  const clock = { now: 0 };
  const sleeps: number[] = [];
  const rateLimiter = createRateLimiter({
    perSecond,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { rateLimiter, clock, sleeps };
}

describe('createRateLimiter', () => {
  it('lets a second’s worth of calls through, then queues the rest a slot apart', async () => {
    const { rateLimiter, sleeps } = limiter(20);
    await Promise.all(Array.from({ length: 23 }, () => rateLimiter.acquire('card.update')));
    expect(sleeps).toEqual([50, 100, 150]);
  });

  it('refills with time', async () => {
    const { rateLimiter, clock, sleeps } = limiter(2);
    await rateLimiter.acquire('a');
    await rateLimiter.acquire('a');
    clock.now += 500;
    await rateLimiter.acquire('a');
    clock.now += 2_000;
    await rateLimiter.acquire('a');
    await rateLimiter.acquire('a');
    expect(sleeps).toEqual([]);
    await rateLimiter.acquire('a');
    expect(sleeps).toEqual([500]);
  });

  it('keeps a bucket per API', async () => {
    const { rateLimiter, sleeps } = limiter(1);
    await rateLimiter.acquire('a');
    await rateLimiter.acquire('b');
    expect(sleeps).toEqual([]);
    await rateLimiter.acquire('a');
    expect(sleeps).toEqual([1000]);
  });

  it('refuses a limit that is not positive', () => {
    expect(() => createRateLimiter({ perSecond: 0, now: () => 0, sleep: async () => undefined })).toThrow(RangeError);
  });
});
