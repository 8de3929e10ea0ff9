import { Context } from '@temporalio/activity';

/** Whether this attempt of the running activity is its last one: a retryable failure now is final too (its retry policy allows no more). */
export function isLastAttempt(): boolean {
  const { attempt, retryPolicy } = Context.current().info;
  const maximum = retryPolicy?.maximumAttempts;
  return maximum !== undefined && maximum > 0 && attempt >= maximum;
}
