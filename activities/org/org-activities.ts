import type { Db } from '../../db/client';
import { resolveApprovers } from '../../db/resolve-approvers';
import type { Assignment, ResolveApproversInput } from '../../engine/assignment';

/** Org lookups for the workflow. The activity name `resolveApprovers` is in recorded histories. */
export function createOrgActivities(db: Db) {
  return {
    async resolveApprovers(input: ResolveApproversInput): Promise<Assignment[]> {
      return resolveApprovers(db, input);
    },
  };
}
