import { signCardCallback, verifyCardCallback } from './card-callback-signature';

const SECRET = 'callback-secret';
const AT = '1700000000000';
/** `printf '%s' 1700000000000 | openssl dgst -sha256 -hmac callback-secret -binary | base64` */
const SIGNATURE = 'tFiEJaSRhDiIhcHPlafPPNFZaIwmws1YQ2FYyIjsNzk=';

const verify = (headers: { timestampHeader?: string; signatureHeader?: string }, now = Number(AT), apiSecret = SECRET) =>
  verifyCardCallback({ timestampHeader: headers.timestampHeader, signatureHeader: headers.signatureHeader, apiSecret, now });

describe('card callback signature', () => {
  it('is Base64(HMAC-SHA256(apiSecret, timestamp))', () => {
    expect(signCardCallback(SECRET, AT)).toBe(SIGNATURE);
  });

  it('accepts a signed, fresh callback (up to five minutes either way)', () => {
    expect(verify({ timestampHeader: AT, signatureHeader: SIGNATURE })).toEqual({ ok: true });
    expect(verify({ timestampHeader: AT, signatureHeader: SIGNATURE }, Number(AT) + 300_000)).toEqual({ ok: true });
    expect(verify({ timestampHeader: AT, signatureHeader: SIGNATURE }, Number(AT) - 300_000)).toEqual({ ok: true });
  });

  it('refuses a missing header', () => {
    expect(verify({ signatureHeader: SIGNATURE })).toEqual({ ok: false, reason: 'missing' });
    expect(verify({ timestampHeader: AT })).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a stale or a future timestamp, and one that is not a number', () => {
    expect(verify({ timestampHeader: AT, signatureHeader: SIGNATURE }, Number(AT) + 300_001)).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ timestampHeader: AT, signatureHeader: SIGNATURE }, Number(AT) - 300_001)).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ timestampHeader: 'yesterday', signatureHeader: SIGNATURE })).toEqual({ ok: false, reason: 'stale' });
  });

  it('honours another window', () => {
    const input = { timestampHeader: AT, signatureHeader: SIGNATURE, apiSecret: SECRET, now: Number(AT) + 2_000 };
    expect(verifyCardCallback({ ...input, maxSkewMs: 1_000 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a forged signature: another secret, another timestamp, a truncated or altered one', () => {
    const later = String(Number(AT) + 1);
    for (const signatureHeader of [signCardCallback('not-the-secret', AT), signCardCallback(SECRET, later), SIGNATURE.slice(0, -2), `x${SIGNATURE.slice(1)}`]) {
      expect(verify({ timestampHeader: AT, signatureHeader })).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });
});
