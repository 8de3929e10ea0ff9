import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SPEC §7: the signed request scheme. One module for both ends: the API verifies with it, our clients, webhooks and ERP calls sign with it, and the ERP sandbox verifies what we send. */
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

/** Headers for a signed request: our API client, the webhooks and ERP calls we send, and tests. */
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

/** What a receiver has of a request to check its signature. */
export interface ReceivedRequest {
  method: string;
  /** The request target exactly as received: path and query string. */
  target: string;
  header(name: string): string | undefined;
  /** Read only once the headers, the app and the timestamp have passed: a request refused before never has its body read. */
  readBody(): Promise<string | Uint8Array>;
}

export type SignatureRejectionCode = 'MISSING_SIGNATURE' | 'UNKNOWN_APP' | 'STALE_TIMESTAMP' | 'BAD_SIGNATURE' | 'REPLAYED_NONCE';

export interface SignatureRejection {
  ok: false;
  code: SignatureRejectionCode;
  message: string;
}

export interface AcceptedSignature<App> {
  ok: true;
  app: App;
  nonce: string;
  /** When the nonce leaves the window and need not be remembered any more. */
  nonceExpiresAt: number;
}

const MAX_NONCE_LENGTH = 128;

/**
 * Checks SPEC §7 in its order: every header present, a nonce of sane length, a known app, a
 * timestamp within the window, the HMAC. The nonce is not consumed here: the receiver does that
 * last (`replayedNonce` when it was seen), once it accepts the request otherwise, so a request
 * refused for any other reason writes nothing.
 */
export async function checkSignature<App extends { secret: string; previousSecret?: string }>(
  request: ReceivedRequest,
  findApp: (appKey: string) => App | undefined | Promise<App | undefined>,
  nowMs = Date.now(),
): Promise<AcceptedSignature<App> | SignatureRejection> {
  const appKey = request.header(SIGNATURE_HEADERS.appKey);
  const timestamp = request.header(SIGNATURE_HEADERS.timestamp);
  const nonce = request.header(SIGNATURE_HEADERS.nonce);
  const signature = request.header(SIGNATURE_HEADERS.signature);
  if (!appKey || !timestamp || !nonce || !signature) {
    const missing = Object.values(SIGNATURE_HEADERS).filter((h) => !request.header(h));
    return { ok: false, code: 'MISSING_SIGNATURE', message: `signed request headers missing: ${missing.join(', ')}` };
  }
  if (nonce.length > MAX_NONCE_LENGTH) return { ok: false, code: 'BAD_SIGNATURE', message: `X-Nonce is longer than ${MAX_NONCE_LENGTH} characters` };
  const app = await findApp(appKey);
  if (!app) return { ok: false, code: 'UNKNOWN_APP', message: `no app with key "${appKey}"` };
  if (!timestampWithinWindow(timestamp, nowMs)) {
    return {
      ok: false,
      code: 'STALE_TIMESTAMP',
      message: `X-Timestamp must be unix milliseconds within ${SIGNATURE_WINDOW_MS / 1000} s of server time (${nowMs})`,
    };
  }
  const body = await request.readBody();
  const parts = { method: request.method, path: request.target, timestamp, nonce, body };
  // While a rotated secret is in its grace period, the app may still sign with the one before.
  const matches = (secret: string | undefined) => secret !== undefined && signatureMatches(secret, parts, signature.toLowerCase());
  if (!matches(app.secret) && !matches(app.previousSecret)) {
    return {
      ok: false,
      code: 'BAD_SIGNATURE',
      message: 'X-Signature does not match HMAC-SHA256(secret, METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(BODY))',
    };
  }
  return { ok: true, app, nonce, nonceExpiresAt: Number(timestamp) + SIGNATURE_WINDOW_MS };
}

export function replayedNonce(nonce: string): SignatureRejection {
  return { ok: false, code: 'REPLAYED_NONCE', message: `nonce "${nonce}" was already used` };
}
