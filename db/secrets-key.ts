import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretBox } from './secret-box';

/**
 * The key that encrypts app secrets at rest: `APP_SECRETS_KEY`, or — in embedded mode only — a
 * key generated once and kept in DATA_DIR, so a restart can still read what it stored.
 */
export function loadSecretBox(options: { appSecretsKey?: string; dataDir: string; embedded: boolean }): SecretBox {
  if (options.appSecretsKey) return SecretBox.fromString(options.appSecretsKey);
  if (!options.embedded) throw new Error('APP_SECRETS_KEY (32 bytes, base64 or hex) is required when DATABASE_URL points at an external database');
  const file = path.join(options.dataDir, 'app-secrets.key');
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return SecretBox.fromString(readFileSync(file, 'utf8'));
}
