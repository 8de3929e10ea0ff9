import { findOpenTasksOfInactiveUsers } from '../../db/task-center';
import { errorFields, logger } from '../../observability/logger';
import { isWorkflowNotFound } from '../../temporal-config/workflow-not-found';
import { assigneesDepartedSignal } from '../../workflows/messages';
import type { ApiDependencies } from '../context';

export interface HandoverAnswer {
  /** Instances told that assignees of theirs left. */
  instances: number;
  /** Instances that could not be told now (Temporal unreachable); the next full push tells them again. */
  failed: number;
}

const CONCURRENCY = 8;

/**
 * After a full org push (SPEC §6): every running instance with an open task held by a user who is
 * no longer active is told so, and hands the task over as its node's `onEmpty` says. It looks at
 * every inactive user, not only those this push deactivated, so an instance that could not be told
 * once is told by the next push; telling one twice changes nothing.
 */
export async function handOverDepartedTasks(deps: Pick<ApiDependencies, 'db' | 'temporal'>): Promise<HandoverAnswer> {
  const pending = await findOpenTasksOfInactiveUsers(deps.db);
  let told = 0;
  let failed = 0;
  const tell = async ({ instanceId, userIds }: { instanceId: string; userIds: string[] }) => {
    try {
      await deps.temporal.workflow.getHandle(instanceId).signal(assigneesDepartedSignal, { userIds });
      told++;
    } catch (err) {
      if (isWorkflowNotFound(err)) return; // closed meanwhile: nothing left to hand over
      failed++;
      logger.error({ instanceId, userIds, ...errorFields(err) }, 'could not hand over the tasks of departed users');
    }
  };
  for (let i = 0; i < pending.length; i += CONCURRENCY) await Promise.all(pending.slice(i, i + CONCURRENCY).map(tell));
  return { instances: told, failed };
}
