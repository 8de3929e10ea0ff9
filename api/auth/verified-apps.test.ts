import type { RegisteredApp } from '../../db/apps';
import { VerifiedApps } from './verified-apps';

const app = (secret: string, extra: Partial<RegisteredApp> = {}): RegisteredApp => ({ key: 'erp', name: 'ERP', secret, permissions: ['start'], ...extra });

function cacheOver(rows: Map<string, RegisteredApp>, ttlMs = 5_000) {
  let now = 1_000_000;
  const reads: string[] = [];
  const cache = new VerifiedApps(
    async (key) => {
      reads.push(key);
      return rows.get(key);
    },
    ttlMs,
    () => now,
  );
  return { cache, reads, advance: (ms: number) => (now += ms), now: () => now };
}

describe('VerifiedApps', () => {
  it('reads an app once within its time to live, then again', async () => {
    const rows = new Map([['erp', app('s1')]]);
    const { cache, reads, advance } = cacheOver(rows);
    expect(await cache.get('erp')).toEqual({ app: app('s1'), cached: false });
    rows.set('erp', app('s2'));
    expect(await cache.get('erp')).toEqual({ app: app('s1'), cached: true });
    advance(5_000);
    expect(await cache.get('erp')).toEqual({ app: app('s2'), cached: false });
    expect(reads).toEqual(['erp', 'erp']);
  });

  it('never keeps an unknown key, so forged keys cost a read each and fill nothing', async () => {
    const { cache, reads } = cacheOver(new Map());
    expect(await cache.get('nobody')).toEqual({ app: undefined, cached: false });
    expect(await cache.get('nobody')).toEqual({ app: undefined, cached: false });
    expect(reads).toEqual(['nobody', 'nobody']);
  });

  it('keeps an app with a previous secret no longer than that secret’s grace period', async () => {
    const rows = new Map<string, RegisteredApp>();
    const { cache, reads, advance, now } = cacheOver(rows);
    rows.set('erp', app('new', { previousSecret: 'old', previousSecretExpiresAt: new Date(now() + 1_000) }));
    await cache.get('erp');
    advance(999);
    expect((await cache.get('erp')).cached).toBe(true);
    rows.set('erp', app('new'));
    advance(1);
    expect(await cache.get('erp')).toEqual({ app: app('new'), cached: false });
    expect(reads).toHaveLength(2);
  });

  it('fresh() and forget() drop what was kept', async () => {
    const rows = new Map([['erp', app('s1')]]);
    const { cache, reads } = cacheOver(rows);
    await cache.get('erp');
    rows.set('erp', app('s2'));
    expect(await cache.fresh('erp')).toEqual(app('s2'));
    expect(await cache.get('erp')).toEqual({ app: app('s2'), cached: true });
    rows.set('erp', app('s3'));
    cache.forget('erp');
    expect(await cache.get('erp')).toEqual({ app: app('s3'), cached: false });
    expect(reads).toHaveLength(3);
  });
});
