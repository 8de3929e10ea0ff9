import { asc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { apps, authNonces, type AppPermission } from './schema';
import type { SecretBox } from './secret-box';

export interface RegisteredApp {
  key: string;
  name: string;
  secret: string;
  /** The secret before the last rotation, while its grace period lasts: inbound signatures made with it still verify. */
  previousSecret?: string;
  /** When `previousSecret` stops verifying. */
  previousSecretExpiresAt?: Date;
  permissions: AppPermission[];
}

/** What ops see of an app: never a secret. */
export interface AppSummary {
  key: string;
  name: string;
  permissions: AppPermission[];
  createdAt: Date;
  previousSecretExpiresAt?: Date;
}

export async function upsertApp(db: Db, box: SecretBox, app: RegisteredApp): Promise<void> {
  const secretCiphertext = box.encrypt(app.secret, app.key);
  await db
    .insert(apps)
    .values({ key: app.key, name: app.name, secretCiphertext, permissions: app.permissions })
    .onConflictDoUpdate({ target: apps.key, set: { name: app.name, secretCiphertext, permissions: app.permissions } });
}

/** Registers a new app; false (and nothing written) when the key is taken. */
export async function registerApp(db: Db, box: SecretBox, app: Omit<RegisteredApp, 'previousSecret'>): Promise<boolean> {
  const inserted = await db
    .insert(apps)
    .values({ key: app.key, name: app.name, secretCiphertext: box.encrypt(app.secret, app.key), permissions: app.permissions })
    .onConflictDoNothing()
    .returning({ key: apps.key });
  return inserted.length === 1;
}

export async function findApp(db: Db, box: SecretBox, key: string): Promise<RegisteredApp | undefined> {
  const [row] = await db.select().from(apps).where(eq(apps.key, key)).limit(1);
  if (!row) return undefined;
  const previousValid = row.previousSecretCiphertext !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt.getTime() > Date.now();
  return {
    key: row.key,
    name: row.name,
    secret: box.decrypt(row.secretCiphertext, row.key),
    ...(previousValid ? { previousSecret: box.decrypt(row.previousSecretCiphertext!, row.key), previousSecretExpiresAt: row.previousSecretExpiresAt! } : {}),
    permissions: row.permissions,
  };
}

/**
 * The app signs with `secret` from now on; the one before stays valid for inbound requests during
 * `graceMs` (0: not at all), so its callers can switch without a failed request. False for an unknown app.
 */
export async function rotateAppSecret(db: Db, box: SecretBox, key: string, secret: string, graceMs: number): Promise<boolean> {
  const [row] = await db
    .update(apps)
    .set({
      secretCiphertext: box.encrypt(secret, key),
      previousSecretCiphertext: graceMs > 0 ? sql`${apps.secretCiphertext}` : null,
      previousSecretExpiresAt: graceMs > 0 ? sql`now() + make_interval(secs => ${graceMs / 1000})` : null,
    })
    .where(eq(apps.key, key))
    .returning({ key: apps.key });
  return row !== undefined;
}

function summaryOf(row: typeof apps.$inferSelect, now = Date.now()): AppSummary {
  return {
    key: row.key,
    name: row.name,
    permissions: row.permissions,
    createdAt: row.createdAt,
    ...(row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now ? { previousSecretExpiresAt: row.previousSecretExpiresAt } : {}),
  };
}

export async function listApps(db: Db): Promise<AppSummary[]> {
  return (await db.select().from(apps).orderBy(asc(apps.key))).map((row) => summaryOf(row));
}

export async function findAppSummary(db: Db, key: string): Promise<AppSummary | undefined> {
  const [row] = await db.select().from(apps).where(eq(apps.key, key)).limit(1);
  return row ? summaryOf(row) : undefined;
}

let lastSweep = 0;

/** Records a nonce for the signature window; false when it was already used (a replay). */
export async function consumeNonce(db: Db, appKey: string, nonce: string, expiresAt: Date): Promise<boolean> {
  if (Date.now() - lastSweep > 60_000) {
    lastSweep = Date.now();
    await db.delete(authNonces).where(lt(authNonces.expiresAt, sql`now()`));
  }
  const inserted = await db.insert(authNonces).values({ appKey, nonce, expiresAt }).onConflictDoNothing().returning({ nonce: authNonces.nonce });
  return inserted.length === 1;
}
