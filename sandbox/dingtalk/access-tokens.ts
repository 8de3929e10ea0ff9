import { randomBytes } from 'node:crypto';

interface IssuedToken {
  token: string;
  appKey: string;
  expiresAt: number;
}

/**
 * Access tokens: random, one valid token per app at a time (asking again while it is valid
 * answers the same one), good on both hosts, dead after their TTL or `revokeAll`.
 */
export class AccessTokens {
  private readonly byToken = new Map<string, IssuedToken>();
  private readonly currentByApp = new Map<string, IssuedToken>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** The app's valid token (a new one when there is none), and the seconds it has left. */
  issue(appKey: string): { token: string; expiresInSeconds: number } {
    const now = this.now();
    let current = this.currentByApp.get(appKey);
    if (!current || current.expiresAt <= now) {
      if (current) this.byToken.delete(current.token);
      current = { token: randomBytes(16).toString('hex'), appKey, expiresAt: now + this.ttlSeconds * 1000 };
      this.currentByApp.set(appKey, current);
      this.byToken.set(current.token, current);
    }
    return { token: current.token, expiresInSeconds: Math.max(1, Math.ceil((current.expiresAt - now) / 1000)) };
  }

  /** The app a valid token belongs to. */
  appOf(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const issued = this.byToken.get(token);
    if (!issued || issued.expiresAt <= this.now()) return undefined;
    return issued.appKey;
  }

  revokeAll(): void {
    this.byToken.clear();
    this.currentByApp.clear();
  }

  /** Tokens still valid (a count: tokens are never shown). */
  validCount(): number {
    const now = this.now();
    return [...this.byToken.values()].filter((t) => t.expiresAt > now).length;
  }
}
