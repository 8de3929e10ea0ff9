import { parseAppSecrets, parseInboundAuth, parsePort } from './sandbox-env';

describe('ERP sandbox settings from env', () => {
  it('parses app secrets, a secret may hold ":"', () => {
    expect(parseAppSecrets('')).toEqual({});
    expect(parseAppSecrets('a:s1, b:s:2')).toEqual({ a: 's1', b: 's:2' });
    expect(() => parseAppSecrets('a')).toThrow(/key:secret/);
    expect(() => parseAppSecrets(':s')).toThrow(/key:secret/);
  });

  it('parses the inbound auth', () => {
    expect(parseInboundAuth('none')).toEqual({ type: 'none' });
    expect(parseInboundAuth('bearer:t:1')).toEqual({ type: 'bearer', token: 't:1' });
    expect(parseInboundAuth('hmac:center:sec')).toEqual({ type: 'hmac', appKey: 'center', secret: 'sec' });
    for (const bad of ['', 'bearer', 'bearer:', 'hmac:center', 'basic:x']) expect(() => parseInboundAuth(bad)).toThrow();
  });

  it('parses the port', () => {
    expect(parsePort(undefined, 4100)).toBe(4100);
    expect(parsePort('0', 4100)).toBe(0);
    expect(() => parsePort('http', 4100)).toThrow();
  });
});
