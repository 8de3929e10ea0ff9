import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadConfig, type AppConfig } from '../config';
import { connectDatabase } from '../db/client';
import { embeddedDatabaseUrl } from '../db/embedded-postgres';
import { resealSecrets, unopenableSecrets } from '../db/reseal-secrets';
import { embeddedKeyFiles, loadSecretBox, newSecretsKey } from '../db/secrets-key';

/**
 * `npm run secrets-key -- rotate | reseal | finish`: replaces the key that seals app secrets and
 * ERP credentials at rest, without a moment in which a running process cannot open them.
 *
 *   rotate  embedded: the key file becomes the previous-key file and a new key is written (restart
 *           `npm start`: it opens with both). External (APP_SECRETS_KEY set): prints a new key; give
 *           every process APP_SECRETS_KEY=<new> and APP_SECRETS_KEY_PREVIOUS=<old>, and roll them.
 *   reseal  with the processes on both keys: seals every secret again with the new key (one
 *           transaction), then checks that the new key alone opens all of them.
 *   finish  checks that again, then drops the previous key (embedded: its file; external: remove
 *           APP_SECRETS_KEY_PREVIOUS and roll the processes).
 */

function databaseUrlOf(config: AppConfig): string {
  return config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPostgresPort);
}

function rotate(config: AppConfig): void {
  if (config.appSecretsKey) {
    // The operator asked for it: a key shown once on their terminal, never logged by a service.
    console.log(`new key: ${newSecretsKey()}`);
    console.log('Give every API and worker process APP_SECRETS_KEY=<the new key> and APP_SECRETS_KEY_PREVIOUS=<the key they have now>,');
    console.log('roll them, then run `npm run secrets-key -- reseal` with the same two variables.');
    return;
  }
  const files = embeddedKeyFiles(config.dataDir);
  if (!existsSync(files.current)) throw new Error(`no key in ${config.dataDir}: nothing sealed yet, nothing to rotate`);
  if (existsSync(files.previous)) throw new Error(`a rotation is under way (${files.previous} exists): run reseal, then finish`);
  renameSync(files.current, files.previous);
  writeFileSync(files.current, newSecretsKey(), { mode: 0o600 });
  console.log(`new key in ${files.current}; the one before moved to ${files.previous}.`);
  console.log('Restart `npm start` (it opens with both keys), then run `npm run secrets-key -- reseal`.');
}

async function reseal(config: AppConfig): Promise<void> {
  const box = loadSecretBox({ ...config, embedded: !config.databaseUrl });
  if (!box.rotating) throw new Error('no previous key is configured: run rotate first (and restart or roll the processes)');
  const database = connectDatabase(databaseUrlOf(config), { max: 1 });
  try {
    const counts = await resealSecrets(database.db, box);
    console.log(`sealed again with the new key: ${counts.apps} app(s), ${counts.systems} ERP system(s)`);
    await assertOpenWithNewKeyAlone(config, database.db);
    console.log('every secret opens with the new key alone: run `npm run secrets-key -- finish`.');
  } finally {
    await database.close();
  }
}

async function finish(config: AppConfig): Promise<void> {
  const database = connectDatabase(databaseUrlOf(config), { max: 1 });
  try {
    await assertOpenWithNewKeyAlone(config, database.db);
  } finally {
    await database.close();
  }
  if (config.appSecretsKey) {
    console.log('Every secret opens with APP_SECRETS_KEY alone: remove APP_SECRETS_KEY_PREVIOUS from every process and roll them.');
    return;
  }
  const files = embeddedKeyFiles(config.dataDir);
  if (existsSync(files.previous)) rmSync(files.previous);
  console.log(`removed ${files.previous}; the rotation is complete.`);
}

async function assertOpenWithNewKeyAlone(config: AppConfig, db: Parameters<typeof unopenableSecrets>[0]): Promise<void> {
  const newKeyAlone = loadSecretBox({ ...config, embedded: !config.databaseUrl }).withoutPreviousKeys();
  const failures = await unopenableSecrets(db, newKeyAlone);
  if (failures.length > 0) throw new Error(`the new key alone does not open: ${failures.join(', ')} — run reseal (with both keys configured)`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const command = process.argv[2];
  if (command === 'rotate') return rotate(config);
  if (command === 'reseal') return reseal(config);
  if (command === 'finish') return finish(config);
  throw new Error('usage: npm run secrets-key -- rotate | reseal | finish');
}

main().catch((err) => {
  console.error(`[secrets-key] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
