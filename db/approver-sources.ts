import type { Db } from './client';
import { departmentChain } from './department-chain';
import { activeUsersWithRole, findActiveUsers, primaryDepartmentOf } from './org';
import { reportingLine } from './reporting-line';
import type { ResolveApproversInput } from '../engine/assignment';

/** The role that makes a user an admin of every flow (seed 001 §7.2), as the DSL's `admins` does for one. */
export const APPROVAL_ADMIN_ROLE = 'approval_admin';

/** `ids` in order, each once, keeping only active users. */
export async function activeInOrder(db: Db, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const active = await findActiveUsers(db, unique);
  return unique.filter((id) => active.has(id));
}

/** The active managers above `userId`, direct manager first; inactive ones are passed over. */
export async function activeManagersOf(db: Db, userId: string): Promise<Array<{ id: string; title: string | null }>> {
  return (await reportingLine(db, userId)).filter((m) => m.active);
}

async function managers(db: Db, subjectId: string, levels: number | undefined, untilTitle: string | undefined): Promise<string[]> {
  const line = await activeManagersOf(db, subjectId);
  if (untilTitle === undefined) return line.slice(0, levels ?? 1).map((m) => m.id);
  const last = line.findIndex((m) => m.title === untilTitle);
  return (last === -1 ? line : line.slice(0, last + 1)).map((m) => m.id);
}

/**
 * Leaders `levels` departments up from the subject's first department. A department whose only
 * active leader is the subject is skipped, so a leader's own department does not send the task back
 * to them; a department with no active leader still counts (and answers nobody).
 */
async function departmentLeaders(db: Db, subjectId: string, levels: number | undefined): Promise<string[]> {
  const start = await primaryDepartmentOf(db, subjectId);
  if (start === undefined) return [];
  const chain = await departmentChain(db, start);
  const counted = chain.filter((d) => !(d.activeLeaderIds.length > 0 && d.activeLeaderIds.every((id) => id === subjectId)));
  const leaders = counted[(levels ?? 1) - 1]?.activeLeaderIds.filter((id) => id !== subjectId) ?? [];
  return [...new Set(leaders)];
}

/** The active users a source names, in the source's order, each once (before substitution and delegation). */
export async function usersOfSource(db: Db, input: ResolveApproversInput): Promise<string[]> {
  const { source } = input;
  switch (source.type) {
    case 'users':
      return activeInOrder(db, source.ids);
    case 'role':
      return activeUsersWithRole(db, source.role);
    case 'dept_leader':
      return departmentLeaders(db, input.subjectId, source.levels);
    case 'manager':
      return managers(db, input.subjectId, source.levels, source.untilTitle);
    case 'initiator_select':
      return activeInOrder(db, input.selected ?? []);
    case 'initiator':
      return activeInOrder(db, [input.initiatorId]);
    case 'admins': {
      const named = await activeInOrder(db, source.ids);
      return named.length > 0 ? named : activeUsersWithRole(db, APPROVAL_ADMIN_ROLE);
    }
  }
}
