import type { QueryDefinition } from '@temporalio/common';
import { findProjectedTimeline, findProjectedView } from '../../db/instance-reads';
import { parseInstanceId } from '../../engine/instance-id';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { isWorkflowNotFound } from '../../temporal-config/workflow-not-found';
import { instanceViewQuery, timelineQuery } from '../../workflows/messages';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';

export const instanceNotFound = (instanceId: string) => new ApiError('INSTANCE_NOT_FOUND', `no instance ${instanceId}`);

async function queryInstance<T>(deps: ApiDependencies, instanceId: string, query: QueryDefinition<T>): Promise<T> {
  if (!parseInstanceId(instanceId)) throw instanceNotFound(instanceId);
  try {
    return await deps.temporal.workflow.getHandle(instanceId).query(query);
  } catch (err) {
    if (isWorkflowNotFound(err)) throw instanceNotFound(instanceId);
    throw err;
  }
}

/**
 * The instance as its projection holds it — the same view whether it runs or has closed. An
 * instance not projected yet (its first workflow task still to run) or never (started before
 * projections) is asked directly.
 */
export async function viewInstance(deps: ApiDependencies, instanceId: string): Promise<InstanceView> {
  return (await findProjectedView(deps.db, instanceId)) ?? queryInstance(deps, instanceId, instanceViewQuery);
}

/** The full audit timeline from the events table; the workflow's (capped) timeline for an unprojected instance. */
export async function timelineOf(deps: ApiDependencies, instanceId: string): Promise<TimelineView> {
  return (await findProjectedTimeline(deps.db, instanceId)) ?? queryInstance(deps, instanceId, timelineQuery);
}
