import { context, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorage } from '@temporalio/workflow';

/**
 * What caused a piece of a workflow's work: the message (its start, an update, a signal) and the
 * API request behind it. The loop carries out what a message asked for after its handler has run,
 * so the cause is remembered with the work (instance-run.ts) and restored around it: the
 * activities it schedules then carry that request's id and join that request's trace.
 */
export interface MessageCause {
  /** The API request's id (X-Request-Id) when the message came from one. */
  readonly requestId?: string;
  /** The trace context of the message, when its sender traced it. */
  readonly trace?: Context;
}

const requests = new AsyncLocalStorage<{ requestId?: string }>();

/** Runs a message's handler (workflows/interceptors.ts) as caused by `requestId`. */
export function handlingRequest<T>(requestId: string | undefined, handle: () => T): T {
  return requests.run({ ...(requestId ? { requestId } : {}) }, handle);
}

/** The request id the work running now carries. */
export function currentRequestId(): string | undefined {
  return requests.getStore()?.requestId;
}

export function currentCause(): MessageCause {
  const requestId = currentRequestId();
  const active = context.active();
  return { ...(requestId ? { requestId } : {}), ...(trace.getSpan(active) ? { trace: active } : {}) };
}

/** Runs `work` as caused by `cause`; `work` starts at once (no extra turn of the event loop). */
export function underCause<T>(cause: MessageCause, work: () => T): T {
  const traced = cause.trace;
  return handlingRequest(cause.requestId, traced ? () => context.with(traced, work) : work);
}
