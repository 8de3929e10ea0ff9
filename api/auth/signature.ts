import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SPEC §7: the signed request scheme, shared by inbound API calls and the webhooks we send. */
export const SIGNATURE_HEADERS = {
  appKey: 'x-app-key',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

/** How far a request's timestamp may be from our clock. */
export const SIGNATURE_WINDOW_MS = 300_000;

export interface SignedRequestParts {
  method: string;
  /** The request target exactly as sent: path and query string. */
  path: string;
  timestamp: string;
  nonce: string;
  body: string | Uint8Array;
}

export function canonicalString(parts: SignedRequestParts): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return [parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, bodyHash].join('\n');
}

export function sign(secret: string, parts: SignedRequestParts): string {
  return createHmac('sha256', secret).update(canonicalString(parts)).digest('hex');
}

/** Constant-time comparison of a presented signature with the expected one. */
export function signatureMatches(secret: string, parts: SignedRequestParts, presented: string): boolean {
  const expected = Buffer.from(sign(secret, parts), 'hex');
  if (!/^[0-9a-f]{64}$/.test(presented)) return false;
  return timingSafeEqual(expected, Buffer.from(presented, 'hex'));
}

export function timestampWithinWindow(timestamp: string, nowMs: number): boolean {
  if (!/^\d{1,16}$/.test(timestamp)) return false;
  return Math.abs(nowMs - Number(timestamp)) <= SIGNATURE_WINDOW_MS;
}

/** Headers for a signed request — used by our clients, tests and (later) webhooks. */
export function signedHeaders(
  credentials: { appKey: string; secret: string },
  request: { method: string; path: string; body?: string },
  now = Date.now(),
  nonce = `${now.toString(36)}-${Math.random().toString(36).slice(2, 12)}`,
): Record<string, string> {
  const timestamp = String(now);
  const signature = sign(credentials.secret, { method: request.method, path: request.path, timestamp, nonce, body: request.body ?? '' });
  return {
    'X-App-Key': credentials.appKey,
    'X-Timestamp': timestamp,
    'X-Nonce': nonce,
    'X-Signature': signature,
  };
}
