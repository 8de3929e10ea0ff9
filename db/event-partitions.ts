import { sql } from 'drizzle-orm';
import type { Db } from './client';

/** Months of `instance_events` partitions kept ready beyond the current one. */
export const EVENT_PARTITION_MONTHS_AHEAD = 3;

/**
 * Creates the missing monthly partitions of `instance_events`, from last month to
 * `monthsAhead` months on (the SQL function lives in migration 0002). Returns how many it made.
 */
export async function ensureEventPartitions(db: Db, monthsAhead = EVENT_PARTITION_MONTHS_AHEAD): Promise<number> {
  const [row] = await db.execute<{ created: number }>(sql`select ensure_instance_event_partitions(${monthsAhead}) as created`);
  return Number(row?.created ?? 0);
}

/** Re-checks the partitions twice a day for as long as the process lives; the returned function stops it. */
export function keepEventPartitionsAhead(db: Db, onError: (err: unknown) => void = (err) => console.error('[partitions]', err)): () => void {
  const timer = setInterval(() => ensureEventPartitions(db).catch(onError), 12 * 60 * 60 * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
