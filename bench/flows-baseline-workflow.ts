import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * The raw-Temporal baseline of `bench/flows.ts` (SPEC §10): a workflow with no logic that
 * accepts `expected` updates and then completes — the floor any approval layer sits on.
 * Bundled on its own (bundleWorkflowCode) and run on its own task queue.
 */
export const baselineUpdate = defineUpdate<number, [actionId: string]>('act');

export async function baselineWorkflow(expected: number): Promise<number> {
  let received = 0;
  setHandler(baselineUpdate, () => {
    received += 1;
    return received;
  });
  await condition(() => received >= expected);
  return received;
}
