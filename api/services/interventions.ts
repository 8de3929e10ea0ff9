import { isFlowAdmin } from '../../db/visibility';
import { findActiveUsers } from '../../db/org';
import type { ReassignRequest, TerminateRequest } from '../../engine/interventions';
import { parseInstanceId } from '../../engine/instance-id';
import type { InstanceView } from '../../engine/instance-view';
import { reassignUpdate, terminateUpdate } from '../../workflows/messages';
import { appActorId, type Viewer } from '../auth/viewer';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { ReassignBody, TerminateBody } from '../schemas/interventions';
import { resolveActionTargets } from './action-targets';
import { updateFailure } from './instance-actions';
import { instanceNotFound, timelineOf } from './instance-reads';
import { visibleInstance } from './visibility';

/**
 * 强制终止 and 修改审批人 (seed 001 §7.2): for admins of the instance's flow, users with the
 * `approval_admin` role and apps with `admin`. Each is a Workflow Update whose id carries the
 * request id, so a repeat does nothing twice; the timeline records who did it and why.
 */

/** A session user acts as themselves and must be an admin of this flow; an app acts on its own account or for the admin it names. */
async function adminActor(deps: ApiDependencies, viewer: Viewer, view: InstanceView, actorId: string | undefined): Promise<string> {
  if (viewer.kind === 'user') {
    const userId = viewer.user.id;
    if (actorId !== undefined && actorId !== userId) throw new ApiError('ACTOR_MISMATCH', `this session acts as ${userId}, not ${actorId}`);
    if (!(await isFlowAdmin(deps.db, view, userId))) throw new ApiError('NOT_FLOW_ADMIN', `${userId} is not an admin of flow ${view.flowCode}`);
    return userId;
  }
  if (actorId === undefined) return appActorId(viewer.app);
  if (!(await findActiveUsers(deps.db, [actorId])).has(actorId)) {
    throw new ApiError('UNKNOWN_USER', `not an active user: ${actorId}`, [{ field: 'actorId', message: 'unknown or inactive user' }]);
  }
  return actorId;
}

export async function terminateInstance(deps: ApiDependencies, viewer: Viewer, instanceId: string, body: TerminateBody): Promise<InstanceView> {
  const view = await visibleInstance(deps, viewer, instanceId);
  const request: TerminateRequest = { requestId: body.requestId, reason: body.reason, actorId: await adminActor(deps, viewer, view, body.actorId) };
  try {
    return await deps.temporal.workflow.getHandle(instanceId).executeUpdate(terminateUpdate, { args: [request], updateId: `terminate:${request.requestId}` });
  } catch (err) {
    const failure = await updateFailure(deps, instanceId, err, 'INSTANCE_NOT_RUNNING');
    // The workflow has closed since: a repeat of the request that ended it answers as the first one did.
    if (failure?.code === 'INSTANCE_NOT_RUNNING' && (await endedBy(deps, instanceId, request.requestId))) return visibleInstance(deps, viewer, instanceId);
    throw failure ?? err;
  }
}

export async function reassignTask(deps: ApiDependencies, viewer: Viewer, instanceId: string, body: ReassignBody): Promise<InstanceView> {
  const ids = parseInstanceId(instanceId);
  if (!ids) throw instanceNotFound(instanceId);
  const view = await visibleInstance(deps, viewer, instanceId);
  const actorId = await adminActor(deps, viewer, view, body.actorId);
  const targets = await resolveActionTargets(deps.db, ids.flowCode, 'toUserId', [body.toUserId]);
  const request: ReassignRequest = { requestId: body.requestId, actorId, taskId: body.taskId, toUserId: body.toUserId, reason: body.reason, targets };
  try {
    return await deps.temporal.workflow.getHandle(instanceId).executeUpdate(reassignUpdate, { args: [request], updateId: `reassign:${request.requestId}` });
  } catch (err) {
    throw (await updateFailure(deps, instanceId, err, 'INSTANCE_NOT_RUNNING')) ?? err;
  }
}

async function endedBy(deps: ApiDependencies, instanceId: string, requestId: string): Promise<boolean> {
  const { events } = await timelineOf(deps, instanceId);
  return events.some((e) => e.type === 'terminated' && e.data.requestId === requestId);
}
