import { checkSignature, replayedNonce, type ReceivedRequest, type SignatureRejection } from '../../protocol/request-signature';

/** Nonces seen per app, each kept until its timestamp leaves the signature window. */
export class NonceLedger {
  private seen = new Map<string, number>();

  /** Records the nonce until `expiresAt`; false if that app already used it. */
  consume(appKey: string, nonce: string, expiresAt: number, nowMs: number): boolean {
    if (this.seen.size > 10_000) this.prune(nowMs);
    const key = `${appKey}\n${nonce}`;
    const known = this.seen.get(key);
    if (known !== undefined && known >= nowMs) return false;
    this.seen.set(key, expiresAt);
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
 * Checks a request we sent (a webhook, an ERP call) the way the approval center checks its own
 * (`checkSignature`), against the secret `secretOf` gives for the app key; the nonce last.
 */
export async function verifySignedRequest(
  request: ReceivedRequest,
  secretOf: (appKey: string) => string | undefined,
  nonces: NonceLedger,
  nowMs = Date.now(),
): Promise<{ ok: true; appKey: string } | SignatureRejection> {
  const checked = await checkSignature(
    request,
    (appKey) => {
      const secret = secretOf(appKey);
      return secret === undefined ? undefined : { appKey, secret };
    },
    nowMs,
  );
  if (!checked.ok) return checked;
  if (!nonces.consume(checked.app.appKey, checked.nonce, checked.nonceExpiresAt, nowMs)) return replayedNonce(checked.nonce);
  return { ok: true, appKey: checked.app.appKey };
}
