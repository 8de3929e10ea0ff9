import type { RegisteredApp } from '../../db/apps';

/** How long an app read from PostgreSQL serves signed requests before it is read again. */
export const APP_CACHE_TTL_MS = 5_000;
const MAX_CACHED_APPS = 1_000;

/**
 * Apps as this API process last read them (decrypted), for a few seconds: a signed request then
 * costs no query and no decryption for its app. Correct across several API processes:
 * - a request that fails verification against a cached app is checked again on a fresh read, so a
 *   secret rotated by another process verifies at once;
 * - a previous secret is kept no longer than its grace period;
 * - this process forgets an app it changes itself (routes/apps.ts).
 * What another process's change can leave here for at most APP_CACHE_TTL_MS: a secret rotated
 * without grace (it still verifies), a permission granted or withdrawn (the old set applies).
 */
export class VerifiedApps {
  private readonly entries = new Map<string, { app: RegisteredApp; until: number }>();

  constructor(
    private readonly load: (key: string) => Promise<RegisteredApp | undefined>,
    private readonly ttlMs = APP_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The app as cached, or read now when there is no live entry; `cached` says which. */
  async get(key: string): Promise<{ app: RegisteredApp | undefined; cached: boolean }> {
    const entry = this.entries.get(key);
    if (entry && entry.until > this.now()) return { app: entry.app, cached: true };
    return { app: await this.fresh(key), cached: false };
  }

  /** Reads the app now and keeps it (an unknown key is not kept: forged keys cannot fill the cache). */
  async fresh(key: string): Promise<RegisteredApp | undefined> {
    this.entries.delete(key);
    const app = await this.load(key);
    if (!app) return undefined;
    if (this.entries.size >= MAX_CACHED_APPS) this.entries.delete(this.entries.keys().next().value!);
    const until = Math.min(this.now() + this.ttlMs, app.previousSecretExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    this.entries.set(key, { app, until });
    return app;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
