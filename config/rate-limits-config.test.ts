import { DEFAULT_RATE_LIMITS, loadConfig, rateLimitsFromEnv } from '.';

describe('request rate limits from the environment', () => {
  it('on by default, per app and per session user, with a burst of twice the rate', () => {
    expect(DEFAULT_RATE_LIMITS).toEqual({ perAppPerSecond: 100, perUserPerSecond: 20 });
    expect(rateLimitsFromEnv({})).toEqual({ perApp: { perSecond: 100, burst: 200 }, perUser: { perSecond: 20, burst: 40 } });
    expect(loadConfig({}).rateLimits).toEqual(rateLimitsFromEnv({}));
  });

  it('takes the rate and the burst of each; 0 turns one off', () => {
    expect(
      rateLimitsFromEnv({ API_RATE_LIMIT_PER_APP: '5', API_RATE_LIMIT_PER_APP_BURST: '7', API_RATE_LIMIT_PER_USER: '0', API_RATE_LIMIT_PER_USER_BURST: '9' }),
    ).toEqual({ perApp: { perSecond: 5, burst: 7 } });
    expect(rateLimitsFromEnv({ API_RATE_LIMIT_PER_APP: '0.5', API_RATE_LIMIT_PER_USER: '0' })).toEqual({ perApp: { perSecond: 0.5, burst: 1 } });
    expect(rateLimitsFromEnv({ API_RATE_LIMIT_PER_APP: '0', API_RATE_LIMIT_PER_USER: '0' })).toEqual({});
  });

  it.each([
    [{ API_RATE_LIMIT_PER_APP: 'lots' }, /API_RATE_LIMIT_PER_APP must be a number/],
    [{ API_RATE_LIMIT_PER_USER: '-1' }, /API_RATE_LIMIT_PER_USER must be a number/],
    [{ API_RATE_LIMIT_PER_APP_BURST: '0' }, /API_RATE_LIMIT_PER_APP_BURST must be at least 1/],
  ])('refuses %j', (env, message) => {
    expect(() => rateLimitsFromEnv(env)).toThrow(message);
  });
});
