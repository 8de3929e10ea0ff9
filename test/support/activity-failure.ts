import { ApplicationFailure } from '@temporalio/common';

/** The failure an activity threw, as Temporal's retry policy reads it (type, nonRetryable, details). */
export async function activityFailure(run: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('the activity did not fail');
}
