import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox (AES-256-GCM at rest)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('demo-erp-secret', 'demo-erp');
    expect(sealed).not.toContain('demo-erp-secret');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.decrypt(sealed, 'demo-erp')).toBe('demo-erp-secret');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same', 'k')).not.toBe(box.encrypt('same', 'k'));
  });

  it('refuses a ciphertext moved to another owner, tampered with, or opened with another key', () => {
    const sealed = box.encrypt('s3cret', 'app-a');
    expect(() => box.decrypt(sealed, 'app-b')).toThrow();
    const [v, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'), 'app-a')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed, 'app-a')).toThrow();
  });

  it('takes its key as base64 or hex and insists on 32 bytes', () => {
    const key = randomBytes(32);
    const sealed = SecretBox.fromString(key.toString('base64')).encrypt('x', 'k');
    expect(SecretBox.fromString(key.toString('hex')).decrypt(sealed, 'k')).toBe('x');
    expect(() => SecretBox.fromString(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('while a key is rotated: seals with the new key only, opens with either, and without the old key no longer opens what it sealed', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).encrypt('before', 'app-a');
    const rotating = SecretBox.fromString(newKey.toString('hex'), [oldKey.toString('base64')]);
    expect(rotating.rotating).toBe(true);
    expect(rotating.decrypt(sealedBefore, 'app-a')).toBe('before');
    const sealedNow = rotating.encrypt('now', 'app-a');
    expect(() => new SecretBox(oldKey).decrypt(sealedNow, 'app-a')).toThrow();
    expect(new SecretBox(newKey).decrypt(sealedNow, 'app-a')).toBe('now');
    const settled = rotating.withoutPreviousKeys();
    expect(settled.rotating).toBe(false);
    expect(() => settled.decrypt(sealedBefore, 'app-a')).toThrow();
    expect(() => rotating.decrypt(sealedBefore, 'app-b')).toThrow();
  });
});
