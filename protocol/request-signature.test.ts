import { canonicalString, checkSignature, sign, signatureMatches, signedHeaders, timestampWithinWindow } from './request-signature';

// Vectors computed independently (Python hmac/hashlib) from SPEC §7's definition.
const vector = {
  secret: 'demo-erp-secret',
  parts: { method: 'POST', path: '/api/v1/instances?x=1', timestamp: '1763700000000', nonce: 'n-123', body: '{"flowCode":"purchase_order"}' },
  signature: '885791de67590a6825f7572098db15f6f1df1524e02fd67f7a4d0d1ffe2b7bc3',
};

describe('request signatures (SPEC §7)', () => {
  it('builds METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(BODY)', () => {
    expect(canonicalString(vector.parts)).toBe(
      'POST\n/api/v1/instances?x=1\n1763700000000\nn-123\nf11455ecf52dbe990bc332bfb5e9877bef5be1df3c90b8ebbe4dd366d46a53db',
    );
  });

  it('matches independently computed HMAC-SHA256 vectors, with and without a body', () => {
    expect(sign(vector.secret, vector.parts)).toBe(vector.signature);
    const get = { method: 'GET', path: '/api/v1/tasks?assignee=u1&status=pending', timestamp: '1763700000000', nonce: 'abc', body: '' };
    expect(sign('demo-erp-secret', get)).toBe('3b773249fd3c9fc479876d112d3b98a1ddf1fc76bc19ea1474eebe58477fefb0');
  });

  it('accepts the right signature and rejects any change to method, path, timestamp, nonce, body or secret', () => {
    expect(signatureMatches(vector.secret, vector.parts, vector.signature)).toBe(true);
    const changes = [
      { method: 'PUT' },
      { path: '/api/v1/instances' },
      { timestamp: '1763700000001' },
      { nonce: 'n-124' },
      { body: '{"flowCode":"purchase_orders"}' },
    ];
    for (const change of changes) expect(signatureMatches(vector.secret, { ...vector.parts, ...change }, vector.signature)).toBe(false);
    expect(signatureMatches('other-secret', vector.parts, vector.signature)).toBe(false);
  });

  it('rejects malformed signatures without throwing', () => {
    expect(signatureMatches(vector.secret, vector.parts, '')).toBe(false);
    expect(signatureMatches(vector.secret, vector.parts, vector.signature.slice(2))).toBe(false);
    expect(signatureMatches(vector.secret, vector.parts, vector.signature.toUpperCase())).toBe(false);
    expect(signatureMatches(vector.secret, vector.parts, 'zz'.repeat(32))).toBe(false);
  });

  it('keeps timestamps within ±300 s', () => {
    const now = 1_763_700_000_000;
    expect(timestampWithinWindow(String(now - 300_000), now)).toBe(true);
    expect(timestampWithinWindow(String(now + 300_000), now)).toBe(true);
    expect(timestampWithinWindow(String(now - 300_001), now)).toBe(false);
    expect(timestampWithinWindow(String(now + 300_001), now)).toBe(false);
    expect(timestampWithinWindow('1763700000', now)).toBe(false); // seconds, not milliseconds
    expect(timestampWithinWindow('abc', now)).toBe(false);
  });

  it('signedHeaders produces headers that verify', () => {
    const headers = signedHeaders({ appKey: 'k', secret: 's' }, { method: 'POST', path: '/p?q=1', body: '{}' }, 1_763_700_000_000, 'nonce-1');
    expect(headers).toMatchObject({ 'X-App-Key': 'k', 'X-Timestamp': '1763700000000', 'X-Nonce': 'nonce-1' });
    const parts = { method: 'POST', path: '/p?q=1', timestamp: '1763700000000', nonce: 'nonce-1', body: '{}' };
    expect(signatureMatches('s', parts, headers['X-Signature']!)).toBe(true);
  });
});

describe('checking a received request (checkSignature)', () => {
  const secret = 'app-secret';
  const findApp = (appKey: string) => (appKey === 'app' ? { secret } : undefined);
  const received = (headers: Record<string, string>, body = '{"a":1}') => {
    let bodyReads = 0;
    const request = {
      method: 'POST',
      target: '/api/v1/instances',
      header: (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1],
      readBody: async () => {
        bodyReads++;
        return body;
      },
    };
    return { request, bodyReads: () => bodyReads };
  };
  const now = 1_763_700_000_000;

  it('accepts a good signature, reading the body once, and leaves the nonce to the receiver', async () => {
    const headers = signedHeaders({ appKey: 'app', secret }, { method: 'POST', path: '/api/v1/instances', body: '{"a":1}' }, now, 'n-1');
    const { request, bodyReads } = received(headers);
    expect(await checkSignature(request, findApp, now)).toEqual({ ok: true, app: { secret }, nonce: 'n-1', nonceExpiresAt: now + 300_000 });
    expect(bodyReads()).toBe(1);
  });

  it('refuses missing headers, an unknown app and a stale timestamp without reading the body', async () => {
    const good = signedHeaders({ appKey: 'app', secret }, { method: 'POST', path: '/api/v1/instances', body: '{"a":1}' }, now, 'n-2');
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...good, 'X-Signature': '' }, 'MISSING_SIGNATURE'],
      [{ ...good, 'X-App-Key': 'other' }, 'UNKNOWN_APP'],
      [{ ...good, 'X-Timestamp': String(now - 301_000) }, 'STALE_TIMESTAMP'],
    ];
    for (const [headers, code] of cases) {
      const { request, bodyReads } = received(headers);
      expect(await checkSignature(request, findApp, now)).toMatchObject({ ok: false, code });
      expect([code, bodyReads()]).toEqual([code, 0]);
    }
  });

  it('refuses a body changed after signing', async () => {
    const headers = signedHeaders({ appKey: 'app', secret }, { method: 'POST', path: '/api/v1/instances', body: '{"a":1}' }, now, 'n-3');
    const { request } = received(headers, '{"a":2}');
    expect(await checkSignature(request, findApp, now)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });
});
