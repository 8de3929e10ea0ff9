import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { users } from './schema';

export interface UserRecord {
  id: string;
  name: string;
  mobile?: string;
  email?: string;
  deptIds: string[];
  managerId?: string;
  title?: string;
  roles?: string[];
  dingtalkUserId?: string;
  erpUserId?: string;
}

/**
 * Org push of users (SPEC §6). `incremental` upserts the list; `full` also deactivates every
 * active user the list leaves out. One transaction: a failed push changes nothing.
 */
export async function syncUsers(db: Db, mode: 'full' | 'incremental', list: UserRecord[]): Promise<{ upserted: number; deactivated: number }> {
  return db.transaction(async (tx) => {
    if (list.length > 0) {
      await tx
        .insert(users)
        .values(
          list.map((u) => ({
            id: u.id,
            name: u.name,
            mobile: u.mobile ?? null,
            email: u.email ?? null,
            deptIds: u.deptIds,
            managerId: u.managerId ?? null,
            title: u.title ?? null,
            roles: u.roles ?? [],
            dingtalkUserId: u.dingtalkUserId ?? null,
            erpUserId: u.erpUserId ?? null,
            active: true,
          })),
        )
        .onConflictDoUpdate({
          target: users.id,
          set: {
            name: sql`excluded.name`,
            mobile: sql`excluded.mobile`,
            email: sql`excluded.email`,
            deptIds: sql`excluded.dept_ids`,
            managerId: sql`excluded.manager_id`,
            title: sql`excluded.title`,
            roles: sql`excluded.roles`,
            dingtalkUserId: sql`excluded.dingtalk_user_id`,
            erpUserId: sql`excluded.erp_user_id`,
            active: sql`true`,
            updatedAt: sql`now()`,
          },
        });
    }
    let deactivated = 0;
    if (mode === 'full') {
      const ids = list.map((u) => u.id);
      const rows = await tx
        .update(users)
        .set({ active: false, updatedAt: sql`now()` })
        .where(ids.length > 0 ? and(eq(users.active, true), notInArray(users.id, ids)) : eq(users.active, true))
        .returning({ id: users.id });
      deactivated = rows.length;
    }
    return { upserted: list.length, deactivated };
  });
}

export async function findActiveUsers(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, ids), eq(users.active, true)));
  return new Set(rows.map((r) => r.id));
}
