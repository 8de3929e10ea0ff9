import { and, arrayContains, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { departmentTreeProblems, InvalidDepartmentsError, type DepartmentRecord } from './department-tree';
import { departments, users } from './schema';

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

/**
 * Org push of departments (SPEC §6), like `syncUsers`. The tree is checked first — parents exist
 * and form no cycle — and a broken push throws `InvalidDepartmentsError` having written nothing.
 */
export async function syncDepartments(db: Db, mode: 'full' | 'incremental', list: DepartmentRecord[]): Promise<{ upserted: number; deactivated: number }> {
  return db.transaction(async (tx) => {
    // Two concurrent pushes could each be a valid tree and still make a cycle together.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('sync_departments'))`);
    const surviving =
      mode === 'full'
        ? []
        : await tx.select({ id: departments.id, parentId: departments.parentId }).from(departments).where(eq(departments.active, true));
    const problems = departmentTreeProblems(list, new Map(surviving.map((d) => [d.id, d.parentId])));
    if (problems.length > 0) throw new InvalidDepartmentsError(problems);

    if (list.length > 0) {
      await tx
        .insert(departments)
        .values(list.map((d) => ({ id: d.id, name: d.name, parentId: d.parentId ?? null, leaderIds: d.leaderIds ?? [], active: true })))
        .onConflictDoUpdate({
          target: departments.id,
          set: {
            name: sql`excluded.name`,
            parentId: sql`excluded.parent_id`,
            leaderIds: sql`excluded.leader_ids`,
            active: sql`true`,
            updatedAt: sql`now()`,
          },
        });
    }
    let deactivated = 0;
    if (mode === 'full') {
      const ids = list.map((d) => d.id);
      const rows = await tx
        .update(departments)
        .set({ active: false, updatedAt: sql`now()` })
        .where(ids.length > 0 ? and(eq(departments.active, true), notInArray(departments.id, ids)) : eq(departments.active, true))
        .returning({ id: departments.id });
      deactivated = rows.length;
    }
    return { upserted: list.length, deactivated };
  });
}

/** Active users holding `role`, by id. */
export async function activeUsersWithRole(db: Db, role: string): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.active, true), arrayContains(users.roles, [role])))
    .orderBy(users.id);
  return rows.map((r) => r.id);
}

/** The first department a user belongs to (their "own" department), if any. */
export async function primaryDepartmentOf(db: Db, userId: string): Promise<string | undefined> {
  const [row] = await db.select({ deptIds: users.deptIds }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.deptIds[0];
}
