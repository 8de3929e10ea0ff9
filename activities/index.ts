import type { Db } from '../db/client';
import { createNotifyActivities } from './notify/notify';
import { createOrgActivities } from './org/resolve-approvers';
import { createProjectionActivities } from './projection/project-instance';

export interface ActivityDependencies {
  db: Db;
}

/** Every activity the approval worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createOrgActivities(deps.db),
    ...createNotifyActivities(deps.db),
    ...createProjectionActivities(deps.db),
  };
}

export type ApprovalActivities = ReturnType<typeof createActivities>;
