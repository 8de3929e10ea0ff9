import path from 'node:path';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { ensureEventPartitions } from './event-partitions';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => undefined });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export const MIGRATIONS_FOLDER = path.join(__dirname, 'migrations');

/**
 * Applies the committed drizzle-kit migrations (idempotent; serialised by drizzle's own lock
 * table), then makes sure the audit log has its partitions for the months ahead.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const db = drizzle(sql, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    await ensureEventPartitions(db);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A transaction handle, accepted wherever a query may run inside or outside a transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;
