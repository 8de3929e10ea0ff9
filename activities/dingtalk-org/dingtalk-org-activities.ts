import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../../db/client';
import { InvalidDepartmentsError, type DepartmentRecord } from '../../db/department-tree';
import { AmbiguousUserBindingError, syncDepartments, syncUsers, userIdsByDingTalkId, type UserRecord } from '../../db/org';
import { findOpenTasksOfInactiveUsers } from '../../db/task-center';
import { DingTalkError, type DingTalkApi, type DingTalkUserSummary } from '../../integrations/dingtalk/dingtalk-api';

/** DingTalk's largest page of `topapi/v2/user/list`. */
export const DINGTALK_USER_PAGE_SIZE = 100;

/** `getUser` calls of one page in flight at once (the client keeps DingTalk's 20 calls per second and API). */
const USER_DETAIL_CONCURRENCY = 5;

/** One department as the sync needs it: its details and its children's ids (one level). */
export interface DingTalkOrgDepartment {
  deptId: number;
  name: string;
  /** As DingTalk says; the walk uses the department it listed this one under. */
  parentId?: number;
  /** `dept_manager_userid_list`. */
  managerUserIds: string[];
  childIds: number[];
}

/** A DingTalk user as the sync keeps them: what becomes our user row, in DingTalk's terms. */
export interface DingTalkPerson {
  userid: string;
  unionid?: string;
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  /** `dept_id_list`: the first is the user's own department. */
  deptIds: number[];
  /** `manager_userid` (user/get). */
  managerUserId?: string;
}

export interface DingTalkUserPageRead {
  users: DingTalkPerson[];
  hasMore: boolean;
  /** Where the next page starts, when `hasMore`. */
  nextCursor?: number;
}

export interface DingTalkOrgToApply {
  departments: DepartmentRecord[];
  users: UserRecord[];
}

export interface AppliedDingTalkOrg {
  departments: number;
  departmentsDeactivated: number;
  users: number;
  deactivated: number;
  /** DingTalk users bound now to an existing user of another id (by mobile or email). */
  bound: number;
}

/** Instances with open tasks held by users who are no longer active, and those users. */
export interface DepartedAssignees {
  instanceId: string;
  userIds: string[];
}

/**
 * A DingTalk failure as Temporal should treat it: the kinds a retry may fix (`token`, `throttled`,
 * `server`, `network`) fail this attempt and the activity's retry policy runs it again — a page is
 * never skipped; the others (`parameter`, `permission`, `quota`, …) fail the activity for good.
 * Both name the kind: `DingTalk.<kind>`.
 */
function asActivityFailure(err: unknown): never {
  if (err instanceof DingTalkError) {
    const details = [{ api: err.api, code: err.code, httpStatus: err.httpStatus }];
    throw err.retryable
      ? ApplicationFailure.create({ message: err.message, type: `DingTalk.${err.kind}`, details, cause: err })
      : ApplicationFailure.create({ message: err.message, type: `DingTalk.${err.kind}`, nonRetryable: true, details, cause: err });
  }
  throw err;
}

async function calling<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return asActivityFailure(err);
  }
}

function personOf(summary: DingTalkUserSummary, managerUserId: string | undefined, listedIn: number): DingTalkPerson {
  const deptIds = summary.dept_id_list && summary.dept_id_list.length > 0 ? summary.dept_id_list : [listedIn];
  return {
    userid: summary.userid,
    ...(summary.unionid ? { unionid: summary.unionid } : {}),
    name: summary.name,
    ...(summary.mobile ? { mobile: summary.mobile } : {}),
    ...(summary.email ? { email: summary.email } : {}),
    ...(summary.title ? { title: summary.title } : {}),
    deptIds: deptIds.includes(listedIn) ? deptIds : [...deptIds, listedIn],
    ...(managerUserId ? { managerUserId } : {}),
  };
}

/** `fn` over `items`, `limit` at a time, answers in the items' order; the first failure stops the rest. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * The org sync's activities (SPEC §8): small reads of DingTalk the workflow strings together — one
 * department, one page of users — then one write of everything read. Reads change nothing and the
 * write is a full sync, so every one of them may run again.
 */
export function createDingTalkOrgActivities(db: Db, api: DingTalkApi | undefined) {
  const dingtalk = (): DingTalkApi => {
    if (!api) throw ApplicationFailure.create({ message: 'DingTalk is not configured', type: 'DingTalkNotConfigured', nonRetryable: true });
    return api;
  };

  return {
    /** One department's details (`department/get`: its managers) and its children (`department/listsub`). */
    async readDingTalkDepartment(deptId: number): Promise<DingTalkOrgDepartment> {
      const client = dingtalk();
      const [detail, children] = await calling(() => Promise.all([client.getDepartment(deptId), client.listSubDepartments(deptId)]));
      return {
        deptId: detail.dept_id,
        name: detail.name,
        ...(detail.parent_id !== undefined && detail.parent_id !== 0 ? { parentId: detail.parent_id } : {}),
        managerUserIds: detail.dept_manager_userid_list ?? [],
        childIds: children.map((c) => c.dept_id),
      };
    },

    /**
     * One page of a department's direct members (`user/list`) and each one's details (`user/get`,
     * for `manager_userid`). A member gone between the two calls (60121) has left: not listed.
     * Heartbeats after each user, so a worker that dies mid-page is noticed within the heartbeat timeout.
     */
    async readDingTalkUserPage(input: { deptId: number; cursor: number }): Promise<DingTalkUserPageRead> {
      const client = dingtalk();
      const page = await calling(() => client.listDepartmentUsers(input.deptId, input.cursor, DINGTALK_USER_PAGE_SIZE));
      const people = await mapLimited(page.list, USER_DETAIL_CONCURRENCY, async (summary) => {
        try {
          const detail = await client.getUser(summary.userid);
          return personOf({ ...summary, ...detail }, detail.manager_userid, input.deptId);
        } catch (err) {
          if (err instanceof DingTalkError && err.kind === 'not_found') return undefined;
          return asActivityFailure(err);
        } finally {
          Context.current().heartbeat();
        }
      });
      return {
        users: people.filter((p): p is DingTalkPerson => p !== undefined),
        hasMore: page.has_more,
        ...(page.has_more && page.next_cursor !== undefined ? { nextCursor: page.next_cursor } : {}),
      };
    },

    /**
     * Writes the org read from DingTalk, all of it: users (full, bound by DingTalk userid, then
     * mobile / email — `syncUsers` with `source: 'dingtalk'`), then departments (full), their leaders
     * turned from DingTalk userids into our ids. Whom it leaves out is deactivated. A tree or a
     * binding that cannot be written fails for good (a retry would read the same).
     */
    async applyDingTalkOrg(org: DingTalkOrgToApply): Promise<AppliedDingTalkOrg> {
      try {
        const users = await syncUsers(db, 'full', org.users, { source: 'dingtalk' });
        const ourIds = await userIdsByDingTalkId(
          db,
          org.departments.flatMap((d) => d.leaderIds ?? []),
        );
        const departments = await syncDepartments(
          db,
          'full',
          org.departments.map((d) => ({ ...d, leaderIds: (d.leaderIds ?? []).map((id) => ourIds.get(id) ?? id) })),
        );
        return {
          departments: departments.upserted,
          departmentsDeactivated: departments.deactivated,
          users: users.upserted,
          deactivated: users.deactivated,
          bound: users.bound.length,
        };
      } catch (err) {
        if (err instanceof InvalidDepartmentsError) {
          throw ApplicationFailure.create({ message: err.message, type: 'InvalidDepartments', nonRetryable: true, details: [err.problems] });
        }
        if (err instanceof AmbiguousUserBindingError) {
          throw ApplicationFailure.create({ message: err.message, type: 'AmbiguousUserBinding', nonRetryable: true, details: [err.problems] });
        }
        throw err;
      }
    },

    /** Running instances' open tasks held by users no longer active (as the ERP full push hands over). */
    async listOpenTasksOfInactiveUsers(): Promise<DepartedAssignees[]> {
      return findOpenTasksOfInactiveUsers(db);
    },
  };
}

export type DingTalkOrgActivities = ReturnType<typeof createDingTalkOrgActivities>;
