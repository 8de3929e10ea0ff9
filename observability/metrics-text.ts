import type { Db } from '../db/client';
import { refreshDatabaseGauges } from './database-gauges';
import { metricsRegistry } from './metrics';
import { temporalCoreMetricsText } from './temporal-core-metrics';

/** The Prometheus text exposition format (0.0.4). */
export const METRICS_CONTENT_TYPE = metricsRegistry.contentType;

/**
 * What this process's `/metrics` answers: the catalogue (its PostgreSQL gauges read now, when the
 * process has the database) followed by the Temporal core's metrics when this process runs a worker.
 */
export async function metricsText(db: Db | undefined): Promise<string> {
  if (db) await refreshDatabaseGauges(db);
  const [own, core] = await Promise.all([metricsRegistry.metrics(), temporalCoreMetricsText()]);
  return core === '' ? own : `${own.trimEnd()}\n${core.endsWith('\n') ? core : `${core}\n`}`;
}
