import type { Client } from '@temporalio/client';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { workflowTracingSinks } from '../observability/tracing';
import { APPROVAL_WORKFLOW_TYPE } from '../workflows/messages';

export interface ReplayCheckReport {
  /** Running instances whose history was replayed. */
  replayed: number;
  /** Those the workflow code at hand cannot replay: deploying it would break them. */
  failures: Array<{ workflowId: string; runId: string; error: string }>;
}

/**
 * The check before a worker upgrade: the histories of running approval workflows, replayed against
 * the workflow code about to be deployed. A nondeterministic change (one that needs `patched()`)
 * shows up here, before a new worker picks up an instance it would break.
 */
export async function replayRunningInstances(
  temporal: Client,
  workflowBundle: WorkflowBundleOption,
  options: { limit?: number; taskQueue?: string } = {},
): Promise<ReplayCheckReport> {
  const limit = options.limit ?? 1_000;
  const onQueue = options.taskQueue ? ` AND TaskQueue = '${options.taskQueue.replace(/'/g, "''")}'` : '';
  const query = `WorkflowType = '${APPROVAL_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'${onQueue}`;
  const executions = temporal.workflow.list({ query, pageSize: 100 });
  const histories = (async function* () {
    let count = 0;
    for await (const execution of executions) {
      if (count++ >= limit) return;
      const history = await temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      yield { workflowId: execution.workflowId, history };
    }
  })();
  const report: ReplayCheckReport = { replayed: 0, failures: [] };
  // A traced instance replays its spans into the tracing sink: here a sink that drops them.
  for await (const result of Worker.runReplayHistories({ workflowBundle, sinks: workflowTracingSinks(undefined) }, histories)) {
    report.replayed++;
    if (result.error) {
      report.failures.push({ workflowId: result.workflowId, runId: result.runId, error: `${result.error.name}: ${result.error.message}` });
    }
  }
  return report;
}
