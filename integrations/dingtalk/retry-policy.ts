import { isApiWideLimit, type DingTalkFailure } from './dingtalk-failure';

/**
 * How long to wait before retrying a failed call, or `undefined` when the client gives up and
 * throws (DINGTALK.md "Errors, limits, retries"); token errors are handled apart (refresh, once).
 * Throttling: three retries after 1, 2 and 4 s (the API-wide limit: about 1 s each time).
 * `server` and `network`: three attempts in total, a short pause between them; after that the
 * activity's own retry policy takes over.
 */

export const THROTTLED_RETRIES = 3;
export const TRANSIENT_ATTEMPTS = 3;
const TRANSIENT_PAUSE_MS = 250;

/** Which retry budget a failure draws on. */
export function retryBudgetOf(failure: Pick<DingTalkFailure, 'kind'>): 'throttled' | 'transient' | undefined {
  if (failure.kind === 'throttled') return 'throttled';
  if (failure.kind === 'server' || failure.kind === 'network') return 'transient';
  return undefined;
}

/** ±25 % around `ms`, so that clients throttled together do not come back together. */
export function withJitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.75 + 0.5 * random()));
}

/** `retry` counts from 1 within the failure's budget. */
export function retryDelayMs(failure: Pick<DingTalkFailure, 'kind' | 'code'>, retry: number, random: () => number): number | undefined {
  switch (retryBudgetOf(failure)) {
    case 'throttled':
      if (retry > THROTTLED_RETRIES) return undefined;
      return withJitter(isApiWideLimit(failure.code) ? 1_000 : 1_000 * 2 ** (retry - 1), random);
    case 'transient':
      if (retry >= TRANSIENT_ATTEMPTS) return undefined;
      return withJitter(TRANSIENT_PAUSE_MS * 2 ** (retry - 1), random);
    default:
      return undefined;
  }
}
