import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { connectDatabase, migrateDatabase } from '../db/client';
import { loadSecretBox } from '../db/secrets-key';
import { seedDemo } from '../db/seed-demo';
import { createDingTalkClient } from '../integrations/dingtalk/client';
import { logger } from '../observability/logger';
import { temporalClientInterceptors } from '../observability/temporal-client-interceptors';
import { startTracing } from '../observability/tracing';
import { connectCardClicks } from './card-click-transport';
import { startApiServer } from './server';

/** The API as its own process (compose, production): external Temporal and PostgreSQL only. */
async function main(): Promise<void> {
  const config = loadConfig();
  const tracing = startTracing();
  if (!config.databaseUrl || !config.temporalAddress) throw new Error('the standalone API needs DATABASE_URL and TEMPORAL_ADDRESS');
  if (process.env.MIGRATE_ON_START !== 'false') await migrateDatabase(config.databaseUrl);
  const database = connectDatabase(config.databaseUrl);
  const secretBox = loadSecretBox({ ...config, embedded: false });
  if (process.env.SEED_DEMO === 'true') {
    await seedDemo(database.db, secretBox, {
      appSecret: config.demoErpSecret,
      erpBaseUrl: process.env.DEMO_ERP_BASE_URL || `http://localhost:${config.erpSandboxPort}`,
      erpSystemSecret: config.demoErpSystemSecret,
    });
  }
  const connection = await Connection.connect({ address: config.temporalAddress });
  const temporal = new Client({ connection, namespace: config.temporalNamespace, interceptors: temporalClientInterceptors(tracing) });
  const dingtalk = config.dingtalk ? createDingTalkClient(config.dingtalk) : undefined;
  const deps = { db: database.db, temporal, secretBox, config, ...(dingtalk ? { dingtalk } : {}), ...(tracing ? { tracer: tracing.tracer('api') } : {}) };
  const api = await startApiServer(deps, config.port);
  logger.info({ url: api.url, tracing: tracing !== undefined }, 'api listening');
  const clicks = dingtalk && config.dingtalk ? await connectCardClicks({ ...deps, dingtalk }, config.dingtalk, config.publicBaseUrl) : undefined;
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      await clicks?.stop();
      await api.close();
      await connection.close();
      await database.close();
      await tracing?.shutdown();
      process.exit(0);
    });
  }
}

main().catch((err) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
