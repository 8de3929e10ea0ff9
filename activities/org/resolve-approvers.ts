import type { Db } from '../../db/client';
import { findActiveUsers } from '../../db/org';
import type { ApproverSource } from '../../engine/dsl';

export interface ResolveApproversInput {
  instanceId: string;
  nodeId: string;
  source: ApproverSource;
  initiatorId: string;
}

/**
 * Turns a node's approver source into the active users who must act, in the source's order,
 * each once. The workflow records the answer in history, so a later org change never rewrites
 * who was asked.
 */
export function createOrgActivities(db: Db) {
  return {
    async resolveApprovers(input: ResolveApproversInput): Promise<string[]> {
      switch (input.source.type) {
        case 'users': {
          const ids = [...new Set(input.source.ids)];
          const active = await findActiveUsers(db, ids);
          return ids.filter((id) => active.has(id));
        }
      }
    },
  };
}
