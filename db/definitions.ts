import { and, desc, eq, sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import type { FlowDefinition } from '../engine/dsl';
import type { Db, DbOrTx } from './client';
import { flowDefinitions, flowVersions } from './schema';

export interface PublishedVersion {
  code: string;
  version: number;
  definition: FlowDefinition;
  publishedAt: Date;
}

/** Creates or replaces the draft of `definition.code`. */
export async function saveDraft(db: Db, definition: FlowDefinition): Promise<{ created: boolean; latestVersion: number | null }> {
  const [row] = await db
    .insert(flowDefinitions)
    .values({ code: definition.code, name: definition.name, draft: definition })
    .onConflictDoUpdate({
      target: flowDefinitions.code,
      set: { name: definition.name, draft: definition, updatedAt: sql`now()` },
    })
    .returning({ createdAt: flowDefinitions.createdAt, updatedAt: flowDefinitions.updatedAt, latestVersion: flowDefinitions.latestVersion });
  return { created: row!.createdAt.getTime() === row!.updatedAt.getTime(), latestVersion: row!.latestVersion };
}

export async function findDraft(db: Db, code: string) {
  const [row] = await db.select().from(flowDefinitions).where(eq(flowDefinitions.code, code)).limit(1);
  return row;
}

/**
 * Makes the draft an immutable version n+1 — unless the draft is exactly the latest version, in
 * which case publishing again answers that version (publish is idempotent).
 */
export async function publishDraft(db: Db, code: string, definition: FlowDefinition): Promise<{ version: number; created: boolean }> {
  return db.transaction(async (tx) => {
    // Row lock: two concurrent publishes of one flow get consecutive versions.
    const [locked] = await tx.select().from(flowDefinitions).where(eq(flowDefinitions.code, code)).for('update');
    if (!locked) throw new Error(`flow ${code} disappeared while publishing`);
    if (locked.latestVersion !== null) {
      const latest = await findVersion(tx, code, locked.latestVersion);
      if (latest && isDeepStrictEqual(latest.definition, definition)) return { version: latest.version, created: false };
    }
    const version = (locked.latestVersion ?? 0) + 1;
    await tx.insert(flowVersions).values({ code, version, definition });
    await tx.update(flowDefinitions).set({ latestVersion: version }).where(eq(flowDefinitions.code, code));
    return { version, created: true };
  });
}

export async function findVersion(db: DbOrTx, code: string, version: number): Promise<PublishedVersion | undefined> {
  const [row] = await db
    .select()
    .from(flowVersions)
    .where(and(eq(flowVersions.code, code), eq(flowVersions.version, version)))
    .limit(1);
  return row;
}

export async function findLatestVersion(db: Db, code: string): Promise<PublishedVersion | undefined> {
  const [row] = await db.select().from(flowVersions).where(eq(flowVersions.code, code)).orderBy(desc(flowVersions.version)).limit(1);
  return row;
}

export async function listVersions(db: Db, code: string): Promise<Array<{ version: number; publishedAt: Date }>> {
  return db
    .select({ version: flowVersions.version, publishedAt: flowVersions.publishedAt })
    .from(flowVersions)
    .where(eq(flowVersions.code, code))
    .orderBy(flowVersions.version);
}
