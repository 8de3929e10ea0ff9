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

/**
 * The draft was saved again since the caller read it: `If-Match` named another revision (the
 * draft's `updatedAt`, as the API answers it). Nothing was written.
 */
export class DraftChanged extends Error {
  constructor(
    readonly code: string,
    readonly current: Date | undefined,
  ) {
    super(current ? `the draft of "${code}" was saved at ${current.toISOString()} since you read it` : `flow "${code}" has no draft yet`);
  }
}

/** The draft's revision as callers see it: `updatedAt` to the millisecond (what a JSON answer carries). */
export const draftRevision = (updatedAt: Date) => updatedAt.toISOString();

export interface SavedDraftRow {
  created: boolean;
  latestVersion: number | null;
  updatedAt: Date;
}

/**
 * Creates or replaces the draft of `definition.code`. With `expectedRevision` the draft must still
 * be the one the caller read (optimistic locking: two admins editing one flow), else DraftChanged.
 */
export async function saveDraft(db: Db, definition: FlowDefinition, expectedRevision?: string): Promise<SavedDraftRow> {
  if (expectedRevision !== undefined) {
    return db.transaction(async (tx) => {
      const [current] = await tx.select().from(flowDefinitions).where(eq(flowDefinitions.code, definition.code)).for('update');
      if (!current || draftRevision(current.updatedAt) !== expectedRevision) throw new DraftChanged(definition.code, current?.updatedAt);
      const [row] = await tx
        .update(flowDefinitions)
        .set({ name: definition.name, draft: definition, updatedAt: sql`now()` })
        .where(eq(flowDefinitions.code, definition.code))
        .returning({ updatedAt: flowDefinitions.updatedAt, latestVersion: flowDefinitions.latestVersion });
      return { created: false, latestVersion: row!.latestVersion, updatedAt: row!.updatedAt };
    });
  }
  const [row] = await db
    .insert(flowDefinitions)
    .values({ code: definition.code, name: definition.name, draft: definition })
    .onConflictDoUpdate({
      target: flowDefinitions.code,
      set: { name: definition.name, draft: definition, updatedAt: sql`now()` },
    })
    .returning({ createdAt: flowDefinitions.createdAt, updatedAt: flowDefinitions.updatedAt, latestVersion: flowDefinitions.latestVersion });
  return { created: row!.createdAt.getTime() === row!.updatedAt.getTime(), latestVersion: row!.latestVersion, updatedAt: row!.updatedAt };
}

export async function findDraft(db: Db, code: string) {
  const [row] = await db.select().from(flowDefinitions).where(eq(flowDefinitions.code, code)).limit(1);
  return row;
}

/**
 * Makes the draft an immutable version n+1 — unless the draft is exactly the latest version, in
 * which case publishing again answers that version (publish is idempotent). `definition` is the
 * draft as the caller checked it: a draft saved since (or another revision than `expectedRevision`)
 * is not published (DraftChanged).
 */
export async function publishDraft(
  db: Db,
  code: string,
  definition: FlowDefinition,
  expectedRevision?: string,
): Promise<{ version: number; created: boolean }> {
  return db.transaction(async (tx) => {
    // Row lock: two concurrent publishes of one flow get consecutive versions.
    const [locked] = await tx.select().from(flowDefinitions).where(eq(flowDefinitions.code, code)).for('update');
    if (!locked) throw new Error(`flow ${code} disappeared while publishing`);
    // The draft checked by the caller is still the draft: nobody saved another in between.
    if (expectedRevision !== undefined && draftRevision(locked.updatedAt) !== expectedRevision) throw new DraftChanged(code, locked.updatedAt);
    if (!isDeepStrictEqual(locked.draft, definition)) throw new DraftChanged(code, locked.updatedAt);
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
