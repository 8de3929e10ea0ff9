import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
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

/** A flow as the designer's list shows it. */
export interface FlowSummary {
  code: string;
  name: string;
  latestVersion: number | null;
  updatedAt: Date;
  publishedAt: Date | null;
  /** The draft is not the latest version (or nothing was published yet). */
  draftChanged: boolean;
}

/** For queries of flows joined to their latest published version (none before the first). */
const latestVersionOfFlow = and(eq(flowVersions.code, flowDefinitions.code), eq(flowVersions.version, flowDefinitions.latestVersion));

/** The user is in `admins` of the flow's draft or of its latest version. */
const listsAsAdmin = (userId: string): SQL =>
  sql`(coalesce(${flowDefinitions.draft}->'admins', '[]'::jsonb) ? ${userId} or coalesce(${flowVersions.definition}->'admins', '[]'::jsonb) ? ${userId})`;

/** Every flow by name, or only those listing `adminId` as an admin (of the draft or of the latest version). */
export async function listFlows(db: Db, adminId?: string): Promise<FlowSummary[]> {
  return db
    .select({
      code: flowDefinitions.code,
      name: flowDefinitions.name,
      latestVersion: flowDefinitions.latestVersion,
      updatedAt: flowDefinitions.updatedAt,
      publishedAt: flowVersions.publishedAt,
      draftChanged: sql<boolean>`(${flowVersions.definition} is null or ${flowDefinitions.draft} <> ${flowVersions.definition})`,
    })
    .from(flowDefinitions)
    .leftJoin(flowVersions, latestVersionOfFlow)
    .where(adminId === undefined ? undefined : listsAsAdmin(adminId))
    .orderBy(asc(flowDefinitions.name), asc(flowDefinitions.code));
}

/** Whether flow `code` (any flow, without it) lists the user in `admins` of its draft or of its latest version. */
export async function isListedFlowAdmin(db: Db, userId: string, code?: string): Promise<boolean> {
  const rows = await db
    .select({ code: flowDefinitions.code })
    .from(flowDefinitions)
    .leftJoin(flowVersions, latestVersionOfFlow)
    .where(and(code === undefined ? undefined : eq(flowDefinitions.code, code), listsAsAdmin(userId)))
    .limit(1);
  return rows.length > 0;
}
