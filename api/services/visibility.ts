import { projectedStarterApp, takesPartInInstance } from '../../db/visibility';
import type { InstanceView } from '../../engine/instance-view';
import { isWorkflowNotFound } from '../../temporal-config/workflow-not-found';
import type { Viewer } from '../auth/viewer';
import type { ApiDependencies } from '../context';
import { instanceNotFound, viewInstance } from './instance-reads';

/** An app that reads every instance, not only those it started. */
export const readsAll = (viewer: Viewer) => viewer.kind === 'app' && (viewer.app.permissions.includes('read_all') || viewer.app.permissions.includes('admin'));

/** The app that started an instance: the projection knows; an instance not projected yet, its memo. */
async function starterApp(deps: ApiDependencies, instanceId: string): Promise<string | undefined> {
  const projected = await projectedStarterApp(deps.db, instanceId);
  if (projected !== undefined) return projected;
  try {
    const { memo } = await deps.temporal.workflow.getHandle(instanceId).describe();
    return typeof memo?.appKey === 'string' ? memo.appKey : undefined;
  } catch (err) {
    if (isWorkflowNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * SPEC §7: a user sees an instance as its initiator, a present or past assignee, the delegator of
 * one of its tasks, a cc recipient or an admin of its flow; an app, the instances it started
 * (every one with `read_all` or `admin`).
 */
export async function maySee(deps: ApiDependencies, viewer: Viewer, view: InstanceView): Promise<boolean> {
  if (viewer.kind === 'app') return readsAll(viewer) || (await starterApp(deps, view.instanceId)) === viewer.app.key;
  const userId = viewer.user.id;
  if (view.initiatorId === userId || view.tasks.some((t) => t.assigneeId === userId || t.delegatedFrom === userId)) return true;
  return takesPartInInstance(deps.db, view, userId);
}

/** The instance view if the viewer may see it; otherwise 404, as if there were no such instance. */
export async function visibleInstance(deps: ApiDependencies, viewer: Viewer, instanceId: string): Promise<InstanceView> {
  const view = await viewInstance(deps, instanceId);
  if (!(await maySee(deps, viewer, view))) throw instanceNotFound(instanceId);
  return view;
}
