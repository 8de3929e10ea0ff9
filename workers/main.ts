import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { ensureDingTalkOrgSyncSchedule } from '../temporal-config/dingtalk-org-sync-schedule';
import { loadConfig } from '../config';
import { keepEventPartitionsAhead } from '../db/event-partitions';
import { connectDatabase } from '../db/client';
import { loadSecretBox } from '../db/secrets-key';
import { cardSettingsOf } from '../activities/dingtalk/approver-channel';
import { createDingTalkClient } from '../integrations/dingtalk/client';
import { createApprovalWorker } from './approval-worker';
import { readWorkflowBundle } from './workflow-bundle';

/**
 * The worker as its own process (compose, production): external Temporal and PostgreSQL only.
 * SIGINT/SIGTERM start a graceful shutdown (the SDK's default signal handling): polling stops,
 * running activities get the grace time, then the process exits.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.temporalAddress) throw new Error('the standalone worker needs DATABASE_URL and TEMPORAL_ADDRESS');
  Runtime.install({ logger: new DefaultLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO') });
  const database = connectDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const bundle = readWorkflowBundle(process.env.WORKFLOW_BUNDLE_PATH);
    if (!bundle) console.warn('no prebuilt workflow bundle (npm run build:workflows); bundling at start');
    const worker = await createApprovalWorker({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      db: database.db,
      secretBox: loadSecretBox({ appSecretsKey: config.appSecretsKey, previousAppSecretsKey: config.previousAppSecretsKey, dataDir: config.dataDir, embedded: false }),
      ...(config.dingtalk ? { dingtalk: createDingTalkClient(config.dingtalk), cardSettings: cardSettingsOf(config.dingtalk, config.publicBaseUrl) } : {}),
      ...(bundle ? { workflowBundle: bundle } : {}),
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
    await connection.close();
    await database.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
