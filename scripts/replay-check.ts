import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { replayRunningInstances } from '../ops/replay-check';
import { ensureWorkflowBundle } from '../workers/workflow-bundle';

/**
 * `npm run replay-check [-- --bundle <file>] [--limit N]`: before a worker upgrade, replays the
 * histories of the running approval instances on the task queue (TEMPORAL_ADDRESS, default the local dev server)
 * against this checkout's workflow code — or the bundle given — and exits 1 if any would break.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // The replay worker's own state changes are noise here; a nondeterminism is reported below.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const bundlePath = option('--bundle');
  const code = bundlePath ? readFileSync(path.resolve(bundlePath), 'utf8') : (await ensureWorkflowBundle()).code;
  const address = config.temporalAddress ?? `localhost:${config.temporalDevPort}`;
  const connection = await Connection.connect({ address });
  try {
    const temporal = new Client({ connection, namespace: config.temporalNamespace });
    const report = await replayRunningInstances(temporal, { code }, { limit: Number(option('--limit') ?? 1_000), taskQueue: config.taskQueue });
    console.log(
      `${report.replayed} running instance(s) on ${address} replayed against ${bundlePath ?? 'this checkout'}: ${report.failures.length} would break`,
    );
    for (const failure of report.failures) console.log(`  ${failure.workflowId} (run ${failure.runId}): ${failure.error}`);
    if (report.failures.length > 0) process.exitCode = 1;
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(`[replay-check] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
