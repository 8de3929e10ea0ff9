import { randomBytes } from 'node:crypto';

/** 免登 codes (what `dd.requestAuthCode` gives the page): one use each, valid for a few minutes. */
export class AuthCodes {
  private readonly codes = new Map<string, { userid: string; expiresAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  issue(userid: string): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { userid, expiresAt: this.now() + this.ttlSeconds * 1000 });
    return code;
  }

  /** The user of a valid code, which is used up by this; undefined for an unknown, used or expired one. */
  redeem(code: string): string | undefined {
    const issued = this.codes.get(code);
    if (!issued) return undefined;
    this.codes.delete(code);
    return issued.expiresAt > this.now() ? issued.userid : undefined;
  }
}
