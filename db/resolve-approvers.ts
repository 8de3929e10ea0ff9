import type { Db } from './client';
import { followDelegations } from './delegations';
import type { Assignment, ResolveApproversInput } from '../engine/assignment';
import { activeManagersOf, usersOfSource } from './approver-sources';

function firstPerUser(assignments: Assignment[]): Assignment[] {
  const seen = new Set<string>();
  return assignments.filter((a) => {
    if (seen.has(a.userId)) return false;
    seen.add(a.userId);
    return true;
  });
}

/** `whenApproverIsInitiator: to_manager`: the initiator's place goes to their first active manager, or is dropped. */
async function initiatorToManager(db: Db, assignments: Assignment[], initiatorId: string): Promise<Assignment[]> {
  if (!assignments.some((a) => a.userId === initiatorId)) return assignments;
  const [manager] = await activeManagersOf(db, initiatorId);
  const substitute: Assignment[] = manager ? [{ userId: manager.id, substitutedFor: initiatorId }] : [];
  return assignments.flatMap((a) => (a.userId === initiatorId ? substitute : [a]));
}

/**
 * Turns an approver source into the active users who must act, in the source's order, each once
 * (first occurrence wins), after the initiator rule and delegations. The workflow asks it through
 * the `resolveApprovers` activity (so the answer is fixed in history and a later org change never
 * rewrites who was asked); the route preview asks it directly.
 */
export async function resolveApprovers(db: Db, input: ResolveApproversInput): Promise<Assignment[]> {
  let assignments: Assignment[] = (await usersOfSource(db, input)).map((userId) => ({ userId }));
  if (input.whenApproverIsInitiator === 'to_manager' && input.source.type !== 'initiator') {
    assignments = firstPerUser(await initiatorToManager(db, assignments, input.initiatorId));
  }
  if (input.applyDelegation) {
    assignments = firstPerUser(await followDelegations(db, assignments, input.flowCode, new Date()));
  }
  return assignments;
}
