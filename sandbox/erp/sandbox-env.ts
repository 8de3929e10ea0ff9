import type { InboundAuth } from './inbound-auth';

/** `key:secret,key2:secret2` → `{key: secret, key2: secret2}` (a secret may hold ':' but not ','). */
export function parseAppSecrets(value: string): Record<string, string> {
  const apps: Record<string, string> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) throw new Error(`ERP_SANDBOX_APPS: "${entry}" is not key:secret`);
    apps[entry.slice(0, colon)] = entry.slice(colon + 1);
  }
  return apps;
}

/** `none` | `bearer:TOKEN` | `hmac:APP_KEY:SECRET` → the inbound auth those name. */
export function parseInboundAuth(value: string): InboundAuth {
  const [type, ...rest] = value.trim().split(':');
  if (type === 'none' && rest.length === 0) return { type: 'none' };
  if (type === 'bearer' && rest.length > 0 && rest.join(':') !== '') return { type: 'bearer', token: rest.join(':') };
  const [appKey, ...secret] = rest;
  if (type === 'hmac' && appKey && secret.join(':') !== '') return { type: 'hmac', appKey, secret: secret.join(':') };
  throw new Error(`ERP_SANDBOX_INBOUND_AUTH: "${value}" is not none, bearer:TOKEN or hmac:APP_KEY:SECRET`);
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`ERP_SANDBOX_PORT: "${value}" is not a port`);
  return port;
}
