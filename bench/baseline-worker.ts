import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

/**
 * The raw-Temporal side of `bench/flows.ts`: a worker of the no-logic baseline workflow, in a
 * process of its own so that its CPU counts as that side's stack and the bench client's does not.
 * argv: TEMPORAL_ADDRESS NAMESPACE TASK_QUEUE. Prints `ready` once polling; SIGTERM stops it.
 */
async function main(): Promise<void> {
  const [address, namespace, taskQueue] = process.argv.slice(2);
  if (!address || !namespace || !taskQueue) throw new Error('usage: baseline-worker.ts TEMPORAL_ADDRESS NAMESPACE TASK_QUEUE');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quiet = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'flows-baseline-workflow.ts'),
    logger: { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: quiet, error: (message: string) => process.stderr.write(`webpack: ${message}\n`) },
  });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, namespace, taskQueue, workflowBundle });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
