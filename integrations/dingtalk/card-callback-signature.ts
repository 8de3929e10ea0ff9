import { createHmac, timingSafeEqual } from 'node:crypto';

/** DingTalk sets no freshness window for card callbacks; ours refuses timestamps more than 5 minutes off. */
export const CALLBACK_MAX_SKEW_MS = 5 * 60 * 1000;

/** `x-ddpaas-signature`: Base64(HMAC-SHA256(key = apiSecret, message = the timestamp header as sent)). */
export function signCardCallback(apiSecret: string, timestamp: string): string {
  return createHmac('sha256', apiSecret).update(timestamp).digest('base64');
}

export type CallbackVerification = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'bad_signature' };

export function verifyCardCallback(input: {
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  apiSecret: string;
  now: number;
  maxSkewMs?: number;
}): CallbackVerification {
  const { timestampHeader, signatureHeader } = input;
  if (!timestampHeader || !signatureHeader || !input.apiSecret) return { ok: false, reason: 'missing' };
  const at = /^\d{1,16}$/.test(timestampHeader) ? Number(timestampHeader) : NaN;
  if (!Number.isFinite(at) || Math.abs(input.now - at) > (input.maxSkewMs ?? CALLBACK_MAX_SKEW_MS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signCardCallback(input.apiSecret, timestampHeader));
  const given = Buffer.from(signatureHeader);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
