import { and, arrayContains, asc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { users } from './schema';

export interface PersonSummary {
  id: string;
  name: string;
  title?: string;
}

/** Display names of these users (the departed too: an old timeline still names them). */
export async function namesOf(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** `%`, `_` and `\` match themselves in a LIKE pattern built from what a user typed. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A user as the pickers show them. */
export type PickedUser = PersonSummary & { deptIds: string[] };

const picked = { id: users.id, name: users.name, title: users.title, deptIds: users.deptIds };
const pickedUser = (r: { id: string; name: string; title: string | null; deptIds: string[] }): PickedUser => ({
  id: r.id,
  name: r.name,
  ...(r.title ? { title: r.title } : {}),
  deptIds: r.deptIds,
});

/**
 * The user picker's search (SPEC §6 `GET /users?q=`): active users whose name contains `q`,
 * whose id starts with it, or — three digits or more — whose mobile ends with it, names first;
 * with `deptId`, members of that department (both: both), by name.
 */
export async function searchUsers(db: Db, search: { q?: string; deptId?: string; ids?: string[] }, limit: number): Promise<PickedUser[]> {
  const where: SQL[] = [eq(users.active, true)];
  const order: SQL[] = [];
  if (search.q !== undefined) {
    const q = search.q.trim();
    const text = likeLiteral(q);
    const matches = [ilike(users.name, `%${text}%`), ilike(users.id, `${text}%`)];
    if (/^\d{3,}$/.test(q)) matches.push(sql`${users.mobile} like ${`%${text}`}`);
    where.push(or(...matches)!);
    order.push(sql`(${users.name} ilike ${`${text}%`}) desc`);
  }
  if (search.deptId !== undefined) where.push(arrayContains(users.deptIds, [search.deptId]));
  if (search.ids !== undefined) where.push(inArray(users.id, search.ids));
  const rows = await db
    .select(picked)
    .from(users)
    .where(and(...where))
    .orderBy(...order, asc(users.name), asc(users.id))
    .limit(limit);
  return rows.map(pickedUser);
}

/** An active user with what a session shows of them; undefined for an unknown or departed user. */
export async function findActivePerson(db: Db, id: string): Promise<(PersonSummary & { roles: string[] }) | undefined> {
  const [row] = await db
    .select({ id: users.id, name: users.name, title: users.title, roles: users.roles })
    .from(users)
    .where(and(eq(users.id, id), eq(users.active, true)));
  return row ? { id: row.id, name: row.name, ...(row.title ? { title: row.title } : {}), roles: row.roles } : undefined;
}

/** Active users by id, for the sandbox's login page (the demo org is small; this is capped anyway). */
export async function listActivePeople(db: Db, limit: number): Promise<PickedUser[]> {
  const rows = await db.select(picked).from(users).where(eq(users.active, true)).orderBy(asc(users.id)).limit(limit);
  return rows.map(pickedUser);
}
