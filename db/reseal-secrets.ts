import { eq } from 'drizzle-orm';
import type { Db, DbOrTx } from './client';
import { openAuth, sealAuth } from './erp-systems';
import { apps, erpSystems } from './schema';
import type { SecretBox } from './secret-box';

/**
 * The second step of a secrets-key rotation (scripts/secrets-key.ts): every secret at rest — app
 * secrets (and a rotated app's secret before, while it is still valid) and ERP credentials — is
 * opened with whichever key sealed it and sealed again with the current key, in one transaction.
 */
export async function resealSecrets(db: Db, box: SecretBox): Promise<{ apps: number; systems: number }> {
  return db.transaction(async (tx) => {
    const appRows = await tx.select().from(apps).for('update');
    for (const row of appRows) {
      const previousValid = row.previousSecretCiphertext !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt.getTime() > Date.now();
      await tx
        .update(apps)
        .set({
          secretCiphertext: box.encrypt(box.decrypt(row.secretCiphertext, row.key), row.key),
          previousSecretCiphertext: previousValid ? box.encrypt(box.decrypt(row.previousSecretCiphertext!, row.key), row.key) : null,
          ...(previousValid ? {} : { previousSecretExpiresAt: null }),
        })
        .where(eq(apps.key, row.key));
    }
    const systemRows = await tx.select().from(erpSystems).for('update');
    for (const row of systemRows) {
      await tx
        .update(erpSystems)
        .set({ auth: sealAuth(box, row.code, openAuth(box, row.code, row.auth)) })
        .where(eq(erpSystems.code, row.code));
    }
    return { apps: appRows.length, systems: systemRows.length };
  });
}

/** The secrets at rest that `box` cannot open (their owners' keys): none once every one is sealed with its key. */
export async function unopenableSecrets(db: DbOrTx, box: SecretBox): Promise<string[]> {
  const failures: string[] = [];
  const opens = (sealed: string, aad: string) => {
    try {
      box.decrypt(sealed, aad);
      return true;
    } catch {
      return false;
    }
  };
  for (const row of await db.select().from(apps)) {
    if (!opens(row.secretCiphertext, row.key)) failures.push(`app ${row.key}`);
    if (row.previousSecretCiphertext !== null && !opens(row.previousSecretCiphertext, row.key)) failures.push(`app ${row.key} (secret before rotation)`);
  }
  for (const row of await db.select().from(erpSystems)) {
    try {
      openAuth(box, row.code, row.auth);
    } catch {
      failures.push(`ERP system ${row.code}`);
    }
  }
  return failures;
}
