import path from 'node:path';
import type { AppConfig } from '../config';
import { postgresLeftover, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { stopLeftover } from '../runtime/leftover-process';
import { devServerLeftover, ensureTemporalCli, startDevServer, type DevServer } from '../temporal-config/dev-server';

export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  embedded: { postgres: boolean; temporal: boolean };
  stop(): Promise<void>;
}

const postgresDataDir = (config: AppConfig) => path.join(config.dataDir, 'postgres');
const temporalDbFile = (config: AppConfig) => path.join(config.dataDir, 'temporal.db');

/**
 * Stops the embedded servers an earlier start on this DATA_DIR left running (it was killed with
 * SIGKILL where the kernel could not stop them with it), so their ports are free again.
 */
export async function stopLeftoverServers(config: AppConfig, log: (line: string) => void): Promise<void> {
  if (!config.databaseUrl) await stopLeftover(postgresLeftover(postgresDataDir(config)), log);
  if (!config.temporalAddress) await stopLeftover(devServerLeftover(temporalDbFile(config)), log);
}

/**
 * PostgreSQL and Temporal: the external ones when DATABASE_URL / TEMPORAL_ADDRESS are set,
 * otherwise embedded ones (real servers) with their state under DATA_DIR. Both start in parallel.
 */
export async function startInfrastructure(config: AppConfig, options: { headless?: boolean; log?: (line: string) => void } = {}): Promise<Infrastructure> {
  const log = options.log ?? console.log;
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop().catch((err) => log(`stop failed: ${String(err)}`));
  };
  const postgres: Promise<EmbeddedPostgres | undefined> = config.databaseUrl
    ? Promise.resolve(undefined)
    : startEmbeddedPostgres({
        dataDir: postgresDataDir(config),
        port: config.embeddedPostgresPort,
        durability: config.embeddedDurability,
        log,
      }).then((pg) => {
        started.push(pg);
        return pg;
      });
  const temporal: Promise<DevServer | undefined> = config.temporalAddress
    ? Promise.resolve(undefined)
    : startDevServer({
        cliPath: ensureTemporalCli(config.toolsDir, log),
        dbFile: temporalDbFile(config),
        port: config.temporalDevPort,
        uiPort: config.temporalUiPort,
        namespace: config.temporalNamespace,
        headless: options.headless,
        durability: config.embeddedDurability,
        log,
      }).then((server) => {
        started.push(server);
        return server;
      });
  const [pg, dev] = await Promise.allSettled([postgres, temporal]);
  if (pg.status === 'rejected' || dev.status === 'rejected') {
    await stopAll();
    throw pg.status === 'rejected' ? pg.reason : (dev as PromiseRejectedResult).reason;
  }
  return {
    databaseUrl: config.databaseUrl ?? pg.value!.url,
    temporalAddress: config.temporalAddress ?? dev.value!.address,
    temporalUiUrl: dev.value?.uiUrl,
    embedded: { postgres: !config.databaseUrl, temporal: !config.temporalAddress },
    stop: stopAll,
  };
}
