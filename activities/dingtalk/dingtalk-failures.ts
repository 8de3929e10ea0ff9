import { ApplicationFailure } from '@temporalio/activity';
import { DingTalkError } from '../../integrations/dingtalk/dingtalk-api';

/**
 * A DingTalk failure no retry fixes is returned for the timeline; anything else (DingTalk down,
 * throttling, an expired token twice) fails the attempt so Temporal runs the reconciliation again.
 */
export function finalFailure(err: unknown): DingTalkError {
  if (err instanceof DingTalkError && !err.retryable) return err;
  if (err instanceof DingTalkError) throw ApplicationFailure.retryable(err.message, `DingTalk.${err.kind}`);
  throw err;
}

/** How the channel's metrics count a failure: `failed` when no retry fixes it, `retry` when the reconciliation runs again. */
export function channelFailureResult(err: unknown): 'failed' | 'retry' {
  return err instanceof DingTalkError && !err.retryable ? 'failed' : 'retry';
}
