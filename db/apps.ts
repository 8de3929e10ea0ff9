import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { apps, authNonces, type AppPermission } from './schema';
import type { SecretBox } from './secret-box';

export interface RegisteredApp {
  key: string;
  name: string;
  secret: string;
  permissions: AppPermission[];
}

export async function upsertApp(db: Db, box: SecretBox, app: RegisteredApp): Promise<void> {
  const secretCiphertext = box.encrypt(app.secret, app.key);
  await db
    .insert(apps)
    .values({ key: app.key, name: app.name, secretCiphertext, permissions: app.permissions })
    .onConflictDoUpdate({ target: apps.key, set: { name: app.name, secretCiphertext, permissions: app.permissions } });
}

export async function findApp(db: Db, box: SecretBox, key: string): Promise<RegisteredApp | undefined> {
  const [row] = await db.select().from(apps).where(eq(apps.key, key)).limit(1);
  if (!row) return undefined;
  return { key: row.key, name: row.name, secret: box.decrypt(row.secretCiphertext, row.key), permissions: row.permissions };
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
