import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { ensureDingTalkOrgSyncSchedule } from '../temporal-config/dingtalk-org-sync-schedule';
import { loadConfig } from '../config';
import { keepEventPartitionsAhead } from '../db/event-partitions';
import { connectDatabase } from '../db/client';
import { loadSecretBox } from '../db/secrets-key';
import { cardSettingsOf } from '../activities/dingtalk/approver-channel';
import { createDingTalkClient } from '../integrations/dingtalk/client';
import { createApprovalWorker } from './approval-worker';
import { readWorkflowBundle } from './workflow-bundle';
import { serveMetrics, type RunningMetricsServer } from '../observability/metrics-server';
import { temporalCoreMetrics } from '../observability/temporal-core-metrics';
import { logger, logLevelFromEnv } from '../observability/logger';
import { forwardTemporalCoreLogs, PinoTemporalLogger } from '../observability/temporal-logger';
import { startTracing } from '../observability/tracing';
import type { Db } from '../db/client';

/**
 * The worker as its own process (compose, production): external Temporal and PostgreSQL only.
 * SIGINT/SIGTERM start a graceful shutdown (the SDK's default signal handling): polling stops,
 * running activities get the grace time, then the process exits.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.temporalAddress) throw new Error('the standalone worker needs DATABASE_URL and TEMPORAL_ADDRESS');
  const coreMetrics = await temporalCoreMetrics();
  Runtime.install({ logger: new PinoTemporalLogger(logLevelFromEnv()), telemetryOptions: { logging: forwardTemporalCoreLogs, metrics: coreMetrics } });
  const tracing = startTracing();
  const database = connectDatabase(config.databaseUrl);
  const metrics = await serveWorkerMetrics(config.workerMetricsPort, database.db);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const bundle = readWorkflowBundle(process.env.WORKFLOW_BUNDLE_PATH);
    if (!bundle) logger.warn('no prebuilt workflow bundle (npm run build:workflows); bundling at start');
    const worker = await createApprovalWorker({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      db: database.db,
      secretBox: loadSecretBox({ ...config, embedded: false }),
      ...(config.dingtalk ? { dingtalk: createDingTalkClient(config.dingtalk), cardSettings: cardSettingsOf(config.dingtalk, config.publicBaseUrl) } : {}),
      ...(bundle ? { workflowBundle: bundle } : {}),
      ...(tracing ? { tracing } : {}),
    });
    if (config.dingtalk) {
      // The org sync Schedule follows DINGTALK_ORG_SYNC_CRON; every worker start brings it in line.
      const clientConnection = await Connection.connect({ address: config.temporalAddress });
      await ensureDingTalkOrgSyncSchedule(new Client({ connection: clientConnection, namespace: config.temporalNamespace }), {
        cron: config.dingtalk.orgSyncCron,
        taskQueue: config.taskQueue,
      }).finally(() => clientConnection.close());
    }
    const stopPartitions = keepEventPartitionsAhead(database.db);
    await worker.run();
    stopPartitions();
  } finally {
    await metrics?.close();
    await connection.close();
    await database.close();
    await tracing?.shutdown();
  }
}

/** Prometheus scrapes each worker here (the Temporal core's metrics included); a port already taken leaves the worker running without it. */
async function serveWorkerMetrics(port: number, db: Db): Promise<RunningMetricsServer | undefined> {
  try {
    return await serveMetrics(port, db);
  } catch (err) {
    logger.warn({ port, error: err instanceof Error ? err.message : String(err) }, 'worker metrics not served');
    return undefined;
  }
}

main().catch((err) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
