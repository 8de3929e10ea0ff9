import type { Db } from '../db/client';
import { operationalCounts } from '../db/operational-counts';
import { flowLabel } from './bounded-label';
import { errorFields, logger } from './logger';
import { notificationOutboxDepth, pendingTasks, webhookDeadLetters } from './metrics';

/** Scrapes closer together than this share one reading (several Prometheus servers, a dashboard refresh). */
const FRESH_FOR_MS = 1_000;
const QUERY_TIMEOUT_MS = 2_000;

const lastReads = new WeakMap<Db, { at: number; reading: Promise<void> }>();

/**
 * Sets the gauges read from PostgreSQL (pending tasks by flow, dead letters, outbox depth) just
 * before a scrape. Every process with the database reports the same values, so dashboards take
 * `max` across instances. PostgreSQL not answering keeps the last values and says so in the log;
 * the rest of the scrape goes on.
 */
export function refreshDatabaseGauges(db: Db, now = Date.now()): Promise<void> {
  const last = lastReads.get(db);
  if (last && now - last.at < FRESH_FOR_MS) return last.reading;
  const reading = read(db);
  lastReads.set(db, { at: now, reading });
  return reading;
}

async function read(db: Db): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${QUERY_TIMEOUT_MS} ms`)), QUERY_TIMEOUT_MS);
  });
  try {
    const counts = await Promise.race([operationalCounts(db), timeout]);
    const byFlow = new Map<string, number>();
    for (const { flowCode, count } of counts.pendingTasksByFlow) {
      const flow = flowLabel(flowCode);
      byFlow.set(flow, (byFlow.get(flow) ?? 0) + count);
    }
    pendingTasks.reset();
    for (const [flow, count] of byFlow) pendingTasks.set({ flow }, count);
    webhookDeadLetters.set({}, counts.deadLetters);
    notificationOutboxDepth.set({}, counts.outboxDepth);
  } catch (err) {
    logger.warn(errorFields(err), 'metrics: the PostgreSQL gauges could not be read');
  } finally {
    clearTimeout(timer);
  }
}
