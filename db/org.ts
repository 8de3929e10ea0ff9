import { and, arrayContains, asc, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from './client';
import { planDingTalkBindings, type ExistingUserKeys } from './dingtalk-binding';
import { departmentTreeProblems, InvalidDepartmentsError, type DepartmentRecord } from './department-tree';
import { departments, users } from './schema';
import { fromExcluded } from './upsert';

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
  dingtalkUnionId?: string;
  erpUserId?: string;
}

/** A pushed user that was bound to an existing user of another id (SPEC §8 "Users and ids"). */
export interface UserBinding {
  /** The id as pushed. */
  id: string;
  /** The existing user it was bound to, whose id stays. */
  userId: string;
}

export interface SyncUsersAnswer {
  upserted: number;
  deactivated: number;
  bound: UserBinding[];
}

export interface UserBindingProblem {
  /** `users.{i}`: the pushed user the problem is reported on. */
  field: string;
  message: string;
  /** The pushed ids involved. */
  pushedIds: string[];
  /** The existing users they match. */
  userIds: string[];
}

/** A user push whose binding by mobile / email is not one-to-one; nothing of it is written. */
export class AmbiguousUserBindingError extends Error {
  constructor(readonly problems: UserBindingProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'AmbiguousUserBindingError';
  }
}

type MatchKey = 'erpUserId' | 'mobile' | 'email';
const MATCH_COLUMNS: Record<MatchKey, SQL> = { erpUserId: sql`erp_user_id`, mobile: sql`mobile`, email: sql`email` };

/**
 * A list of strings as one bound parameter (a push holds up to 10,000 users: one parameter per
 * value would pass PostgreSQL's 65,535 limit, and drizzle builds long value lists slowly).
 */
function textSet(values: string[]): SQL {
  return sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key) ?? new Set<string>();
  ids.add(id);
  index.set(key, ids);
}

/**
 * Which pushed users bind to an existing user of another id. A pushed id that exists is that
 * user. Otherwise, in this order: an existing user already carrying the pushed ERP user id
 * (`erpUserId`, else the pushed id — a binding made by an earlier push), then the users whose
 * mobile or email equal the pushed ones. Exactly one user must match (mobile and email naming
 * two different users is ambiguous), and no existing user may be claimed by two pushed users
 * (by id or by binding); otherwise `AmbiguousUserBindingError`.
 */
async function planBindings(tx: Tx, list: UserRecord[]): Promise<Map<string, string>> {
  const boundTo = new Map<string, string>();
  if (list.length === 0) return boundTo;
  const existing = await tx.execute<{ id: string }>(sql`select id from users where id in ${textSet(list.map((u) => u.id))}`);
  const existingIds = new Set(existing.map((row) => row.id));
  const unknown = list.flatMap((u, i) => (existingIds.has(u.id) ? [] : [{ user: u, index: i }]));
  if (unknown.length === 0) return boundTo;

  const byKey: Record<MatchKey, Map<string, Set<string>>> = { erpUserId: new Map(), mobile: new Map(), email: new Map() };
  const lookups: Record<MatchKey, string[]> = {
    erpUserId: unknown.map(({ user }) => user.erpUserId ?? user.id),
    mobile: unknown.flatMap(({ user }) => (user.mobile ? [user.mobile] : [])),
    email: unknown.flatMap(({ user }) => (user.email ? [user.email] : [])),
  };
  for (const key of ['erpUserId', 'mobile', 'email'] as const) {
    if (lookups[key].length === 0) continue;
    const column = MATCH_COLUMNS[key];
    const rows = await tx.execute<{ id: string; value: string }>(
      sql`select id, ${column} as value from users where ${column} in ${textSet([...new Set(lookups[key])])}`,
    );
    for (const row of rows) addTo(byKey[key], row.value, row.id);
  }

  const problems: UserBindingProblem[] = [];
  const claims = new Map<string, Array<{ id: string; index: number }>>();
  list.forEach((u, index) => {
    if (existingIds.has(u.id)) claims.set(u.id, [{ id: u.id, index }]);
  });
  for (const { user, index } of unknown) {
    const byErp = [...(byKey.erpUserId.get(user.erpUserId ?? user.id) ?? [])];
    let matches = byErp;
    let how = `ERP user id "${user.erpUserId ?? user.id}"`;
    if (byErp.length === 0) {
      const byMobile = user.mobile ? [...(byKey.mobile.get(user.mobile) ?? [])] : [];
      const byEmail = user.email ? [...(byKey.email.get(user.email) ?? [])] : [];
      matches = [...new Set([...byMobile, ...byEmail])];
      how = [byMobile.length > 0 ? `mobile "${user.mobile}"` : '', byEmail.length > 0 ? `email "${user.email}"` : ''].filter(Boolean).join(' and ');
    }
    if (matches.length === 0) continue;
    if (matches.length > 1) {
      matches.sort();
      problems.push({
        field: `users.${index}`,
        message: `user "${user.id}" matches ${matches.length} existing users by ${how}: ${matches.map((m) => `"${m}"`).join(', ')}`,
        pushedIds: [user.id],
        userIds: matches,
      });
      continue;
    }
    const target = matches[0]!;
    boundTo.set(user.id, target);
    claims.set(target, [...(claims.get(target) ?? []), { id: user.id, index }]);
  }
  for (const [target, claimants] of claims) {
    if (claimants.length < 2) continue;
    const last = claimants[claimants.length - 1]!;
    problems.push({
      field: `users.${last.index}`,
      message: `existing user "${target}" would be claimed by ${claimants.length} pushed users: ${claimants.map((c) => `"${c.id}"`).join(', ')}`,
      pushedIds: claimants.map((c) => c.id),
      userIds: [target],
    });
  }
  if (problems.length > 0) {
    problems.sort((a, b) => Number(a.field.slice('users.'.length)) - Number(b.field.slice('users.'.length)));
    throw new AmbiguousUserBindingError(problems);
  }
  return boundTo;
}

/** One row as written: snake_case for `jsonb_to_recordset`. */
interface UserRow {
  id: string;
  name: string;
  mobile: string | null;
  email: string | null;
  dept_ids: string[];
  manager_id: string | null;
  title: string | null;
  roles: string[];
  dingtalk_user_id: string | null;
  dingtalk_union_id: string | null;
  erp_user_id: string | null;
}

/**
 * Upserts `rows` in one statement with one parameter. A plain row replaces every field; a bound
 * row (`keepUnpushed`) keeps the mobile, email and DingTalk ids it has when the push has none.
 * The `untouched` columns of an existing user stay as they are (a source that does not own them).
 */
async function upsertUserRows(tx: Tx, rows: UserRow[], keepUnpushed: boolean, untouched: ReadonlySet<'roles' | 'erp_user_id'> = new Set()): Promise<void> {
  if (rows.length === 0) return;
  const keep = (column: string) => (keepUnpushed ? sql.raw(`coalesce(excluded.${column}, users.${column})`) : sql.raw(`excluded.${column}`));
  const owned = (column: 'roles' | 'erp_user_id') => sql.raw(untouched.has(column) ? `users.${column}` : `excluded.${column}`);
  await tx.execute(sql`
    insert into users (id, name, mobile, email, dept_ids, manager_id, title, roles, dingtalk_user_id, dingtalk_union_id, erp_user_id, active)
    select id, name, mobile, email, dept_ids, manager_id, title, roles, dingtalk_user_id, dingtalk_union_id, erp_user_id, true
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as pushed(
      id text, name text, mobile text, email text, dept_ids text[], manager_id text, title text, roles text[], dingtalk_user_id text, dingtalk_union_id text,
      erp_user_id text)
    on conflict (id) do update set
      name = excluded.name,
      mobile = ${keep('mobile')},
      email = ${keep('email')},
      dept_ids = excluded.dept_ids,
      manager_id = excluded.manager_id,
      title = excluded.title,
      roles = ${owned('roles')},
      dingtalk_user_id = ${keep('dingtalk_user_id')},
      dingtalk_union_id = ${keep('dingtalk_union_id')},
      erp_user_id = ${owned('erp_user_id')},
      active = true,
      updated_at = now()`);
}

/**
 * Org push of users (SPEC §6). `incremental` upserts the list; `full` also deactivates every
 * active user the list leaves out. A pushed id that does not exist binds to the one existing user
 * it matches (see `planBindings`, SPEC §8 "Users and ids"): that user keeps its id, takes the
 * pushed fields (its DingTalk ids, mobile and email only when pushed; `erpUserId` defaults to
 * the pushed id) and is active; the batch's `managerId`s naming a bound id are translated, and
 * `full` counts bound users as listed. One transaction: a failed push changes nothing.
 */
export async function syncUsers(db: Db, mode: 'full' | 'incremental', list: UserRecord[], options: SyncUsersOptions = {}): Promise<SyncUsersAnswer> {
  if (options.source === 'dingtalk') return syncDingTalkUsers(db, mode, list);
  return db.transaction(async (tx) => {
    // Bindings are decided on what exists; two concurrent pushes must not both bind (or insert) one person.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('sync_users'))`);
    const boundTo = await planBindings(tx, list);
    const row = (u: UserRecord, id: string, erpUserId: string | null): UserRow => ({
      id,
      name: u.name,
      mobile: u.mobile ?? null,
      email: u.email ?? null,
      dept_ids: u.deptIds,
      manager_id: u.managerId === undefined ? null : (boundTo.get(u.managerId) ?? u.managerId),
      title: u.title ?? null,
      roles: u.roles ?? [],
      dingtalk_user_id: u.dingtalkUserId ?? null,
      dingtalk_union_id: u.dingtalkUnionId ?? null,
      erp_user_id: erpUserId,
    });
    const bound = list.flatMap((u) => {
      const userId = boundTo.get(u.id);
      return userId === undefined ? [] : [{ user: u, userId }];
    });
    await upsertUserRows(
      tx,
      list.filter((u) => !boundTo.has(u.id)).map((u) => row(u, u.id, u.erpUserId ?? null)),
      false,
    );
    await upsertUserRows(
      tx,
      bound.map(({ user, userId }) => row(user, userId, user.erpUserId ?? user.id)),
      true,
    );

    const deactivated =
      mode === 'full'
        ? await deactivateUnlisted(
            tx,
            list.map((u) => boundTo.get(u.id) ?? u.id),
          )
        : 0;
    return { upserted: list.length, deactivated, bound: bound.map(({ user, userId }) => ({ id: user.id, userId })) };
  });
}

/** A full push or sync: every active user it does not list leaves. Answers how many did. */
async function deactivateUnlisted(tx: Tx, kept: string[]): Promise<number> {
  const rows = await tx
    .update(users)
    .set({ active: false, updatedAt: sql`now()` })
    .where(and(eq(users.active, true), sql`${users.id} not in ${textSet(kept)}`))
    .returning({ id: users.id });
  return rows.length;
}

export interface SyncUsersOptions {
  /**
   * Who lists the users. `erp` (the org push): ids are the ERP's, unknown ones bind by ERP user
   * id, mobile, email (`planBindings`). `dingtalk` (the org sync): ids are DingTalk userids, bound
   * as `planDingTalkBindings` says; DingTalk does not own `roles` and `erpUserId`, so
   * an existing user keeps them, and a mobile or email DingTalk does not show is kept too.
   */
  source?: 'erp' | 'dingtalk';
}

/** The existing users a DingTalk sync of `list` may bind to: by id, DingTalk userid, mobile or email. */
async function bindingCandidates(tx: Tx, list: UserRecord[]): Promise<ExistingUserKeys[]> {
  if (list.length === 0) return [];
  const ids = list.map((u) => u.id);
  const dingtalkIds = list.map((u) => u.dingtalkUserId ?? u.id);
  const mobiles = list.flatMap((u) => (u.mobile ? [u.mobile] : []));
  const emails = list.flatMap((u) => (u.email ? [u.email] : []));
  const rows = await tx.execute<{ id: string; dingtalk_user_id: string | null; mobile: string | null; email: string | null }>(sql`
    select id, dingtalk_user_id, mobile, email from users
    where id in ${textSet(ids)} or dingtalk_user_id in ${textSet(dingtalkIds)} or mobile in ${textSet(mobiles)} or email in ${textSet(emails)}`);
  return rows.map((r) => ({ id: r.id, dingtalkUserId: r.dingtalk_user_id, mobile: r.mobile, email: r.email }));
}

/** The DingTalk org sync's users (`syncUsers` with `source: 'dingtalk'`); `bound` names the bindings made by this sync. */
async function syncDingTalkUsers(db: Db, mode: 'full' | 'incremental', list: UserRecord[]): Promise<SyncUsersAnswer> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('sync_users'))`);
    const plan = planDingTalkBindings(list, await bindingCandidates(tx, list));
    if (plan.problems.length > 0) throw new AmbiguousUserBindingError(plan.problems);
    const untouched = new Set(['roles', 'erp_user_id'] as const);
    const row = (u: UserRecord): UserRow => ({
      id: plan.boundTo.get(u.id) ?? u.id,
      name: u.name,
      mobile: u.mobile ?? null,
      email: u.email ?? null,
      dept_ids: u.deptIds,
      manager_id: u.managerId === undefined ? null : (plan.boundTo.get(u.managerId) ?? u.managerId),
      title: u.title ?? null,
      roles: u.roles ?? [],
      dingtalk_user_id: u.dingtalkUserId ?? u.id,
      dingtalk_union_id: u.dingtalkUnionId ?? null,
      erp_user_id: u.erpUserId ?? null,
    });
    await upsertUserRows(tx, list.map(row), true, untouched);
    const deactivated =
      mode === 'full'
        ? await deactivateUnlisted(
            tx,
            list.map((u) => plan.boundTo.get(u.id) ?? u.id),
          )
        : 0;
    return { upserted: list.length, deactivated, bound: plan.newlyBound };
  });
}

/** Our ids of the users bound to these DingTalk userids, by DingTalk userid (an unbound one is left out). */
export async function userIdsByDingTalkId(db: Db, dingtalkUserIds: string[]): Promise<Map<string, string>> {
  if (dingtalkUserIds.length === 0) return new Map();
  const rows = await db.execute<{ id: string; dingtalk_user_id: string }>(
    sql`select id, dingtalk_user_id from users where dingtalk_user_id in ${textSet([...new Set(dingtalkUserIds)])} order by active desc, id`,
  );
  const ids = new Map<string, string>();
  for (const row of rows) if (!ids.has(row.dingtalk_user_id)) ids.set(row.dingtalk_user_id, row.id);
  return ids;
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
      mode === 'full' ? [] : await tx.select({ id: departments.id, parentId: departments.parentId }).from(departments).where(eq(departments.active, true));
    const problems = departmentTreeProblems(list, new Map(surviving.map((d) => [d.id, d.parentId])));
    if (problems.length > 0) throw new InvalidDepartmentsError(problems);

    if (list.length > 0) {
      await tx
        .insert(departments)
        .values(list.map((d) => ({ id: d.id, name: d.name, parentId: d.parentId ?? null, leaderIds: d.leaderIds ?? [], active: true })))
        .onConflictDoUpdate({
          target: departments.id,
          set: { ...fromExcluded(departments, ['name', 'parentId', 'leaderIds']), active: sql`true`, updatedAt: sql`now()` },
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

/** Each role active users hold, with how many hold it, by role (the designer's role picker). */
export async function activeRoles(db: Db): Promise<Array<{ role: string; userCount: number }>> {
  const rows = await db.execute<{ role: string; user_count: number }>(sql`
    select r.role, count(distinct u.id)::int as user_count
    from users u cross join lateral unnest(u.roles) as r(role)
    where u.active
    group by r.role
    order by r.role`);
  return rows.map((r) => ({ role: r.role, userCount: r.user_count }));
}

/** Active departments by name (the designer's department picker). */
export async function activeDepartments(db: Db): Promise<Array<{ id: string; name: string; parentId: string | null; leaderIds: string[] }>> {
  return db
    .select({ id: departments.id, name: departments.name, parentId: departments.parentId, leaderIds: departments.leaderIds })
    .from(departments)
    .where(eq(departments.active, true))
    .orderBy(asc(departments.name), asc(departments.id));
}
