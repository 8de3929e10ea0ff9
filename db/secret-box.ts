import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (app secrets, ERP credentials). The ciphertext is bound to
 * its owner (`aad`, e.g. the app key) so a row's secret cannot be pasted into another row.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 *
 * While the key is being rotated, the box also holds the key before: it seals with the current
 * key only and opens with either, so secrets sealed before the rotation stay readable until
 * they are sealed again (db/reseal-secrets.ts).
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previousKeys: readonly Buffer[];

  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const k of [key, ...previousKeys]) if (k.length !== 32) throw new Error(`the secrets key must be 32 bytes, got ${k.length}`);
    this.key = key;
    this.previousKeys = previousKeys;
  }

  /** Accepts 32 bytes as base64 or hex (64 hex digits); `previous`, the keys before (to open only). */
  static fromString(encoded: string, previous: readonly string[] = []): SecretBox {
    return new SecretBox(keyOf(encoded), previous.map(keyOf));
  }

  /** Whether a key before the current one is held (a rotation is under way). */
  get rotating(): boolean {
    return this.previousKeys.length > 0;
  }

  /** The same box without the keys before: what opens with it needs no previous key any more. */
  withoutPreviousKeys(): SecretBox {
    return new SecretBox(this.key);
  }

  encrypt(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(sealed: string, aad: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a v1 sealed secret');
    const open = (key: Buffer) => {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    };
    try {
      return open(this.key);
    } catch (err) {
      for (const previous of this.previousKeys) {
        try {
          return open(previous);
        } catch {
          // not this one either
        }
      }
      throw err;
    }
  }
}

function keyOf(encoded: string): Buffer {
  const trimmed = encoded.trim();
  return /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
}
