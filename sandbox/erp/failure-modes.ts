import { z } from 'zod';

/** What a failure switch can be set on: the webhook receiver and each ERP operation. */
export const FAILURE_TARGETS = ['webhooks', 'reserve_budget', 'release_budget', 'write_back'] as const;
export type FailureTarget = (typeof FAILURE_TARGETS)[number];

export const FAILURE_MODES = ['ok', '5xx', '4xx', '408', '429', 'slow'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

export const DEFAULT_SLOW_DELAY_MS = 5_000;

/** The body of `POST /control/failures`, also what `state.setFailure` takes. */
export const failureSettingSchema = z
  .strictObject({
    target: z.enum(FAILURE_TARGETS),
    mode: z.enum(FAILURE_MODES),
    /** Only the next N requests; omitted = until switched back to `ok`. */
    times: z.int().positive().optional(),
    /** For `slow`. */
    delayMs: z.number().min(0).max(600_000).optional(),
  })
  .refine((s) => s.mode !== 'ok' || s.times === undefined, { path: ['times'], message: 'times applies to a failure mode, not to ok' })
  .refine((s) => s.mode === 'slow' || s.delayMs === undefined, { path: ['delayMs'], message: 'delayMs applies to mode slow only' });
export type FailureSetting = z.input<typeof failureSettingSchema>;

export interface FailureSwitch {
  mode: FailureMode;
  /** Requests left before the switch goes back to `ok`; null = until switched back. */
  remaining: number | null;
  delayMs: number;
  /** Requests answered by a failure mode (never applied). */
  failedRequests: number;
  /** Requests held back by `slow` (then handled normally). */
  delayedRequests: number;
}

export type FailureSwitches = Record<FailureTarget, FailureSwitch>;

export type FailureDecision = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'fail'; status: 408 | 422 | 429 | 503; code: string; message: string };

const FAILURE_ANSWERS: Record<Exclude<FailureMode, 'ok' | 'slow'>, { status: 408 | 422 | 429 | 503; code: string }> = {
  '5xx': { status: 503, code: 'SANDBOX_UNAVAILABLE' },
  '4xx': { status: 422, code: 'SANDBOX_REJECTED' },
  '408': { status: 408, code: 'REQUEST_TIMEOUT' },
  '429': { status: 429, code: 'RATE_LIMITED' },
};

function okSwitch(): FailureSwitch {
  return { mode: 'ok', remaining: null, delayMs: DEFAULT_SLOW_DELAY_MS, failedRequests: 0, delayedRequests: 0 };
}

/** The failure switches of every target, and how each incoming request is affected. */
export class FailureBoard {
  private switches = FailureBoard.allOk();

  private static allOk(): FailureSwitches {
    return Object.fromEntries(FAILURE_TARGETS.map((t) => [t, okSwitch()])) as FailureSwitches;
  }

  /** Validates and applies a setting (throws a ZodError on bad input); answers the modes now in force. */
  set(setting: FailureSetting): FailureSwitches {
    const { target, mode, times, delayMs } = failureSettingSchema.parse(setting);
    const current = this.switches[target];
    this.switches[target] = {
      ...current,
      mode,
      remaining: mode === 'ok' ? null : (times ?? null),
      delayMs: delayMs ?? DEFAULT_SLOW_DELAY_MS,
    };
    return this.snapshot();
  }

  /** Consumes one request's worth of `target`'s switch and says what to do with that request. */
  take(target: FailureTarget): FailureDecision {
    const current = this.switches[target];
    const { mode } = current;
    if (mode === 'ok') return { kind: 'pass' };
    if (current.remaining !== null) {
      current.remaining -= 1;
      if (current.remaining === 0) {
        current.mode = 'ok';
        current.remaining = null;
      }
    }
    if (mode === 'slow') {
      current.delayedRequests += 1;
      return { kind: 'delay', ms: current.delayMs };
    }
    current.failedRequests += 1;
    const answer = FAILURE_ANSWERS[mode];
    return { kind: 'fail', ...answer, message: `ERP sandbox failure mode "${mode}" is on for ${target}` };
  }

  snapshot(): FailureSwitches {
    return structuredClone(this.switches);
  }

  reset(): void {
    this.switches = FailureBoard.allOk();
  }
}
