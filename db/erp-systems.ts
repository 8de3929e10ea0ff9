import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { erpSystems, type ErpHttpOperation, type StoredErpAuth } from './schema';
import type { SecretBox } from './secret-box';

/** How we authenticate to an ERP, secrets in the clear (only ever in memory). */
export type ErpAuth = { type: 'hmac'; appKey: string; secret: string } | { type: 'bearer'; token: string } | { type: 'none' };

/** An ERP system registered for `service` nodes and write-back (SPEC §8). */
export interface ErpSystem {
  code: string;
  name?: string;
  baseUrl: string;
  auth: ErpAuth;
  operations: Record<string, ErpHttpOperation>;
  writeBack?: ErpHttpOperation;
}

/** What publish checks and instance start need to know of a system: no secrets. */
export interface ErpSystemSummary {
  operations: string[];
  hasWriteBack: boolean;
}

/** Secrets are sealed with the system code as AAD, so a sealed secret cannot move to another system. */
export function sealAuth(box: SecretBox, code: string, auth: ErpAuth): StoredErpAuth {
  if (auth.type === 'hmac') return { type: 'hmac', appKey: auth.appKey, secretCiphertext: box.encrypt(auth.secret, code) };
  if (auth.type === 'bearer') return { type: 'bearer', tokenCiphertext: box.encrypt(auth.token, code) };
  return auth;
}

export function openAuth(box: SecretBox, code: string, stored: StoredErpAuth): ErpAuth {
  if (stored.type === 'hmac') return { type: 'hmac', appKey: stored.appKey, secret: box.decrypt(stored.secretCiphertext, code) };
  if (stored.type === 'bearer') return { type: 'bearer', token: box.decrypt(stored.tokenCiphertext, code) };
  return stored;
}

/** Registers `system`, or replaces it whole (an omitted `name` or `writeBack` is removed). */
export async function upsertErpSystem(db: Db, box: SecretBox, system: ErpSystem): Promise<{ created: boolean }> {
  const values = {
    name: system.name ?? null,
    baseUrl: system.baseUrl,
    auth: sealAuth(box, system.code, system.auth),
    operations: system.operations,
    writeBack: system.writeBack ?? null,
  };
  const [row] = await db
    .insert(erpSystems)
    .values({ code: system.code, ...values })
    .onConflictDoUpdate({ target: erpSystems.code, set: { ...values, updatedAt: sql`now()` } })
    // xmax is 0 on a freshly inserted row version, and the updating transaction's id otherwise.
    .returning({ created: sql<boolean>`(xmax = 0)` });
  return { created: row?.created === true };
}

/** The system with its secrets decrypted, or undefined. */
export async function findErpSystem(db: Db, box: SecretBox, code: string): Promise<ErpSystem | undefined> {
  const [row] = await db.select().from(erpSystems).where(eq(erpSystems.code, code)).limit(1);
  if (!row) return undefined;
  return {
    code: row.code,
    ...(row.name !== null ? { name: row.name } : {}),
    baseUrl: row.baseUrl,
    auth: openAuth(box, row.code, row.auth),
    operations: row.operations,
    ...(row.writeBack !== null ? { writeBack: row.writeBack } : {}),
  };
}

/** For each of `codes` that is registered: its operation names and whether it has a write-back. */
export async function findErpSystems(db: Db, codes: string[]): Promise<Map<string, ErpSystemSummary>> {
  const found = new Map<string, ErpSystemSummary>();
  const unique = [...new Set(codes)];
  if (unique.length === 0) return found;
  const rows = await db
    .select({ code: erpSystems.code, operations: erpSystems.operations, writeBack: erpSystems.writeBack })
    .from(erpSystems)
    .where(inArray(erpSystems.code, unique));
  for (const row of rows) found.set(row.code, { operations: Object.keys(row.operations), hasWriteBack: row.writeBack !== null });
  return found;
}

/** Every registered system by code: its name, operation names (sorted) and whether it has a write-back; never its base URL or auth. */
export async function listErpSystems(db: Db): Promise<Array<{ code: string; name: string | null } & ErpSystemSummary>> {
  const rows = await db
    .select({ code: erpSystems.code, name: erpSystems.name, operations: erpSystems.operations, writeBack: erpSystems.writeBack })
    .from(erpSystems)
    .orderBy(asc(erpSystems.code));
  return rows.map((row) => ({ code: row.code, name: row.name, operations: Object.keys(row.operations).sort(), hasWriteBack: row.writeBack !== null }));
}
