import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from './client';
import { userSessions, users } from './schema';

/** SPEC §7: a user's session lasts 8 hours unless revoked. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export type SessionOrigin = 'dingtalk' | 'dev';

export interface SessionUser {
  id: string;
  name: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new session for the user; the token is answered once and only its hash is stored. */
export async function createSession(db: Db, userId: string, via: SessionOrigin, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = `ses_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insert(userSessions).values({ tokenHash: hashOf(token), userId, via, createdAt: now, expiresAt });
  return { token, expiresAt };
}

/** The active user of a live session, or undefined (unknown, expired, revoked, or the user left). */
export async function findSessionUser(db: Db, token: string, now = new Date()): Promise<SessionUser | undefined> {
  const [row] = await db
    .select({ id: users.id, name: users.name })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(and(eq(userSessions.tokenHash, hashOf(token)), isNull(userSessions.revokedAt), gt(userSessions.expiresAt, now), eq(users.active, true)));
  return row;
}

/** Ends a session (logout): the token stops working at once. True when it was live. */
export async function revokeSession(db: Db, token: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(userSessions)
    .set({ revokedAt: now })
    .where(and(eq(userSessions.tokenHash, hashOf(token)), isNull(userSessions.revokedAt)))
    .returning({ tokenHash: userSessions.tokenHash });
  return rows.length > 0;
}

/** Ends every live session of a user (an admin's revoke, a user who left): answers how many. */
export async function revokeSessionsOf(db: Db, userId: string, now = new Date()): Promise<number> {
  const rows = await db
    .update(userSessions)
    .set({ revokedAt: now })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.revokedAt), gt(userSessions.expiresAt, now)))
    .returning({ tokenHash: userSessions.tokenHash });
  return rows.length;
}
