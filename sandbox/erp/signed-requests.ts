import { SIGNATURE_HEADERS, SIGNATURE_WINDOW_MS, signatureMatches, timestampWithinWindow } from '../../api/auth/signature';

/** What the sandbox needs of an incoming request to check a SPEC §7 signature. */
export interface IncomingSignedRequest {
  method: string;
  /** The request target exactly as received: path and query string. */
  target: string;
  header(name: string): string | undefined;
  body: Uint8Array;
}

export interface AuthRejection {
  ok: false;
  code: string;
  message: string;
}

const MAX_NONCE_LENGTH = 128;

/** Nonces seen per app, each kept until its timestamp leaves the signature window. */
export class NonceLedger {
  private seen = new Map<string, number>();

  /** Records the nonce; false if that app already used it. */
  consume(appKey: string, nonce: string, timestampMs: number, nowMs: number): boolean {
    if (this.seen.size > 10_000) this.prune(nowMs);
    const key = `${appKey}\n${nonce}`;
    const expiresAt = this.seen.get(key);
    if (expiresAt !== undefined && expiresAt >= nowMs) return false;
    this.seen.set(key, timestampMs + SIGNATURE_WINDOW_MS);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }

  private prune(nowMs: number): void {
    for (const [key, expiresAt] of this.seen) if (expiresAt < nowMs) this.seen.delete(key);
  }
}

/**
 * Checks SPEC §7's headers and HMAC against the secret `secretOf` gives for the app key. The
 * nonce is consumed only once everything else holds, as the approval center itself does.
 */
export function verifySignedRequest(
  request: IncomingSignedRequest,
  secretOf: (appKey: string) => string | undefined,
  nonces: NonceLedger,
  nowMs = Date.now(),
): { ok: true; appKey: string } | AuthRejection {
  const appKey = request.header(SIGNATURE_HEADERS.appKey);
  const timestamp = request.header(SIGNATURE_HEADERS.timestamp);
  const nonce = request.header(SIGNATURE_HEADERS.nonce);
  const signature = request.header(SIGNATURE_HEADERS.signature);
  if (!appKey || !timestamp || !nonce || !signature) {
    const missing = Object.values(SIGNATURE_HEADERS).filter((h) => !request.header(h));
    return { ok: false, code: 'MISSING_SIGNATURE', message: `signed request headers missing: ${missing.join(', ')}` };
  }
  if (nonce.length > MAX_NONCE_LENGTH) return { ok: false, code: 'BAD_SIGNATURE', message: `X-Nonce is longer than ${MAX_NONCE_LENGTH} characters` };
  const secret = secretOf(appKey);
  if (secret === undefined) return { ok: false, code: 'UNKNOWN_APP', message: `no trusted app with key "${appKey}"` };
  if (!timestampWithinWindow(timestamp, nowMs)) {
    return { ok: false, code: 'STALE_TIMESTAMP', message: `X-Timestamp must be unix milliseconds within ${SIGNATURE_WINDOW_MS / 1000} s of ${nowMs}` };
  }
  const parts = { method: request.method, path: request.target, timestamp, nonce, body: request.body };
  if (!signatureMatches(secret, parts, signature.toLowerCase())) {
    return { ok: false, code: 'BAD_SIGNATURE', message: `X-Signature does not match HMAC-SHA256(secret, METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(BODY)) for ${request.method} ${request.target}` };
  }
  if (!nonces.consume(appKey, nonce, Number(timestamp), nowMs)) {
    return { ok: false, code: 'REPLAYED_NONCE', message: `nonce "${nonce}" was already used by app "${appKey}"` };
  }
  return { ok: true, appKey };
}
