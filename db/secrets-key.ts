import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretBox } from './secret-box';

/** Where embedded mode keeps its key, and the key before it while a rotation is under way. */
export function embeddedKeyFiles(dataDir: string): { current: string; previous: string } {
  return { current: path.join(dataDir, 'app-secrets.key'), previous: path.join(dataDir, 'app-secrets.previous.key') };
}

export const newSecretsKey = () => randomBytes(32).toString('base64');

/**
 * The key that encrypts app secrets at rest: `APP_SECRETS_KEY`, or — in embedded mode only — a
 * key generated once and kept in DATA_DIR, so a restart can still read what it stored. During a
 * rotation the key before (`APP_SECRETS_KEY_PREVIOUS`, or the embedded previous-key file) still opens
 * what was sealed with it (scripts/secrets-key.ts).
 */
export function loadSecretBox(options: { appSecretsKey?: string; previousAppSecretsKey?: string; dataDir: string; embedded: boolean }): SecretBox {
  if (options.appSecretsKey) return SecretBox.fromString(options.appSecretsKey, options.previousAppSecretsKey ? [options.previousAppSecretsKey] : []);
  if (!options.embedded) throw new Error('APP_SECRETS_KEY (32 bytes, base64 or hex) is required when DATABASE_URL points at an external database');
  const files = embeddedKeyFiles(options.dataDir);
  if (!existsSync(files.current)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(files.current, newSecretsKey(), { mode: 0o600 });
  }
  const previous = existsSync(files.previous) ? [readFileSync(files.previous, 'utf8')] : [];
  return SecretBox.fromString(readFileSync(files.current, 'utf8'), previous);
}
