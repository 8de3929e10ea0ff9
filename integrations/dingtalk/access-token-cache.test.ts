import { createAccessTokenCache, refreshTimeOf, type AccessToken } from './access-token-cache';

function cache(expireIn = 7200) {
  const clock = { now: 0 };
  let issued = 0;
  const pending: Array<(token: AccessToken) => void> = [];
  const tokens = createAccessTokenCache(
    () =>
      new Promise<AccessToken>((resolve) => {
        issued++;
        pending.push(resolve);
      }),
    () => clock.now,
  );
  const answer = () => pending.shift()?.({ accessToken: `t${issued}`, expireIn });
  return { tokens, clock, answer, issued: () => issued };
}

/** Lets the cache's promise chain run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createAccessTokenCache', () => {
  it('shares one request among concurrent callers', async () => {
    const { tokens, answer, issued } = cache();
    const callers = Promise.all(Array.from({ length: 10 }, () => tokens.get()));
    await settle();
    answer();
    expect(await callers).toEqual(Array.from({ length: 10 }, () => 't1'));
    expect(issued()).toBe(1);
  });

  it('keeps the token until ten minutes before it expires', async () => {
    const { tokens, clock, answer, issued } = cache();
    const first = tokens.get();
    await settle();
    answer();
    await first;
    clock.now = 7200_000 - 600_000 - 1;
    expect(await tokens.get()).toBe('t1');
    clock.now += 1;
    const second = tokens.get();
    await settle();
    answer();
    expect(await second).toBe('t2');
    expect(issued()).toBe(2);
  });

  it('refreshes a short-lived token halfway', () => {
    expect(refreshTimeOf(0, 600)).toBe(300_000);
    expect(refreshTimeOf(1_000, 7200)).toBe(1_000 + 6_600_000);
  });

  it('drops a refused token, but not a newer one fetched meanwhile', async () => {
    const { tokens, answer } = cache();
    const first = tokens.get();
    await settle();
    answer();
    await first;
    tokens.invalidate('t1');
    const second = tokens.get();
    await settle();
    answer();
    expect(await second).toBe('t2');
    tokens.invalidate('t1');
    expect(await tokens.get()).toBe('t2');
  });

  it('asks again after a failed request', async () => {
    let calls = 0;
    const tokens = createAccessTokenCache(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
      return { accessToken: 'ok', expireIn: 7200 };
    }, Date.now);
    await expect(tokens.get()).rejects.toThrow('down');
    expect(await tokens.get()).toBe('ok');
  });
});
