import { ApplicationFailure } from '@temporalio/common';
import type { DingTalkOrgDepartment, DingTalkOrgToApply, DingTalkPerson, DingTalkUserPageRead } from '../activities/dingtalk-org/dingtalk-org-activities';

/**
 * The org sync's plan, pure (no Temporal workflow API, no I/O): how the DingTalk tree is walked
 * through a reader (the workflow's activities; in tests the activities over an in-memory DingTalk),
 * and how what was read becomes our departments and users (SPEC §8).
 */

/** DingTalk's root department. */
export const ROOT_DEPT_ID = 1;

/** How the walk reads DingTalk: one department (details and children), one page of its users. */
export interface DingTalkOrgReader {
  department(deptId: number): Promise<DingTalkOrgDepartment>;
  userPage(deptId: number, cursor: number): Promise<DingTalkUserPageRead>;
}

export interface OrgWalkProgress {
  /** Tree depth being read (the root is level 0). */
  level: number;
  departmentsRead: number;
  /** Read and waiting to be read. */
  departmentsFound: number;
  pagesRead: number;
  /** Distinct users so far. */
  usersFound: number;
}

/** A department as walked: `parentId` is the department it was listed under (none for the root). */
export type WalkedDepartment = Omit<DingTalkOrgDepartment, 'parentId'> & { parentId?: number };

export interface CollectedDingTalkOrg {
  /** Breadth-first from the root. */
  departments: WalkedDepartment[];
  /** Each user once (a user in several departments is listed by each), in the order first met. */
  users: DingTalkPerson[];
}

export interface WalkOptions {
  /** Departments of one level read at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: OrgWalkProgress) => void;
}

/** `fn` over `items`, `limit` at a time, answers in the items' order (deterministic in a workflow). */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}

/** All of a department's direct members, page after page until `has_more` is false. */
async function readAllUsers(reader: DingTalkOrgReader, deptId: number, onPage: (page: DingTalkUserPageRead) => void): Promise<DingTalkPerson[]> {
  const users: DingTalkPerson[] = [];
  for (let cursor = 0; ;) {
    const page = await reader.userPage(deptId, cursor);
    onPage(page);
    users.push(...page.users);
    if (!page.hasMore) return users;
    if (page.nextCursor === undefined || page.nextCursor === cursor) {
      // Asking again would loop for ever: fail the sync loudly, nothing written.
      throw ApplicationFailure.create({
        message: `DingTalk answered has_more for department ${deptId} at cursor ${cursor} without a next cursor`,
        type: 'DingTalk.paging',
        nonRetryable: true,
      });
    }
    cursor = page.nextCursor;
  }
}

/**
 * Walks DingTalk's department tree breadth-first from the root: each level's departments are read
 * (details, children, then their users page by page), then the next level's. A department met twice
 * is read once; a user listed by several departments is kept once.
 */
export async function collectDingTalkOrg(reader: DingTalkOrgReader, options: WalkOptions = {}): Promise<CollectedDingTalkOrg> {
  const concurrency = options.concurrency ?? 4;
  const departments: WalkedDepartment[] = [];
  const users = new Map<string, DingTalkPerson>();
  const progress: OrgWalkProgress = { level: 0, departmentsRead: 0, departmentsFound: 1, pagesRead: 0, usersFound: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const seen = new Set<number>([ROOT_DEPT_ID]);

  let level: Array<{ deptId: number; parentId?: number }> = [{ deptId: ROOT_DEPT_ID }];
  report();
  while (level.length > 0) {
    const read = await mapLimited(level, concurrency, async ({ deptId, parentId }) => {
      const { parentId: _asDingTalkSays, ...department } = await reader.department(deptId);
      const children = department.childIds.filter((id) => !seen.has(id));
      for (const id of children) seen.add(id);
      progress.departmentsFound += children.length;
      const members = await readAllUsers(reader, deptId, (page) => {
        progress.pagesRead++;
        for (const user of page.users) if (!users.has(user.userid)) progress.usersFound++;
        report();
      });
      progress.departmentsRead++;
      return { department: { ...department, deptId, ...(parentId !== undefined ? { parentId } : {}) }, children, members };
    });
    const nextLevel: typeof level = [];
    for (const { department, children, members } of read) {
      departments.push(department);
      for (const user of members) if (!users.has(user.userid)) users.set(user.userid, user);
      nextLevel.push(...children.map((id) => ({ deptId: id, parentId: department.deptId })));
    }
    progress.usersFound = users.size;
    progress.level++;
    level = nextLevel;
    report();
  }
  return { departments, users: [...users.values()] };
}

/**
 * A user's manager: their `manager_userid`, else the first of `dept_manager_userid_list` who is not
 * the user themself, in their own department (the first of `dept_id_list`), then its parent, up to
 * the root. Only users of this sync count (a manager who left is nobody's manager).
 */
export function managerOf(user: DingTalkPerson, departments: ReadonlyMap<number, WalkedDepartment>, known: ReadonlySet<string>): string | undefined {
  const counts = (id: string) => id !== user.userid && known.has(id);
  if (user.managerUserId !== undefined && counts(user.managerUserId)) return user.managerUserId;
  const visited = new Set<number>();
  for (let at = user.deptIds[0]; at !== undefined && !visited.has(at); at = departments.get(at)?.parentId) {
    visited.add(at);
    const manager = departments.get(at)?.managerUserIds.find(counts);
    if (manager !== undefined) return manager;
  }
  return undefined;
}

/**
 * What the sync writes: every department (ids as `String(dept_id)`, the root included; leaders:
 * the DingTalk userids of its `dept_manager_userid_list` who are users of this sync) and every user
 * (id: their DingTalk userid, which binding may map to an existing user; departments: those of the
 * tree; manager per `managerOf`). The apply activity turns DingTalk userids into our ids.
 */
export function orgRecordsOf(collected: CollectedDingTalkOrg): DingTalkOrgToApply {
  const byId = new Map(collected.departments.map((d) => [d.deptId, d]));
  const known = new Set(collected.users.map((u) => u.userid));
  return {
    departments: collected.departments.map((d) => ({
      id: String(d.deptId),
      name: d.name,
      ...(d.parentId !== undefined ? { parentId: String(d.parentId) } : {}),
      leaderIds: d.managerUserIds.filter((id) => known.has(id)),
    })),
    users: collected.users.map((u) => {
      const managerId = managerOf(u, byId, known);
      return {
        id: u.userid,
        name: u.name,
        ...(u.mobile ? { mobile: u.mobile } : {}),
        ...(u.email ? { email: u.email } : {}),
        deptIds: u.deptIds.filter((id) => byId.has(id)).map(String),
        ...(managerId !== undefined ? { managerId } : {}),
        ...(u.title ? { title: u.title } : {}),
        dingtalkUserId: u.userid,
        ...(u.unionid ? { dingtalkUnionId: u.unionid } : {}),
      };
    }),
  };
}

/** The walk's progress as the Web UI's current details show it (markdown). */
export function describeWalk(p: OrgWalkProgress): string {
  return [
    '**Reading DingTalk’s org**',
    `- level ${p.level} of the department tree`,
    `- departments: ${p.departmentsRead} read of ${p.departmentsFound} found`,
    `- users: ${p.usersFound} from ${p.pagesRead} page${p.pagesRead === 1 ? '' : 's'}`,
  ].join('\n');
}
