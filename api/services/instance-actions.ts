import { findProjectedView } from '../../db/instance-reads';
import type { ActionRequest } from '../../engine/action-request';
import { parseInstanceId } from '../../engine/instance-id';
import type { InstanceView } from '../../engine/instance-view';
import { isWorkflowNotFound } from '../../temporal-config/workflow-not-found';
import { actUpdate, retryCompensationsUpdate } from '../../workflows/messages';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { ActorAction } from '../schemas/actions';
import { refusalError } from '../update-refusals';
import { resolveActionTargets } from './action-targets';
import { instanceNotFound, viewInstance } from './instance-reads';

/**
 * Sends an action as a Workflow Update whose id is the action's `actionId` (Temporal answers a
 * repeat within a run with the first outcome; the workflow itself one after continue-as-new). The
 * workflow's validator checks it against the instance; a refusal leaves no trace in history.
 */
export async function actOnInstance(deps: ApiDependencies, instanceId: string, body: ActorAction): Promise<InstanceView> {
  const ids = parseInstanceId(instanceId);
  if (!ids) throw instanceNotFound(instanceId);
  const action = await withTargets(deps, ids.flowCode, body);
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    try {
      return await deps.temporal.workflow.getHandle(instanceId).executeUpdate(actUpdate, { args: [action], updateId: action.actionId });
    } catch (err) {
      const failure = (await updateFailure(deps, instanceId, err, 'INSTANCE_NOT_RUNNING')) ?? err;
      if (!(await workflowBehindProjection(deps, instanceId, action.taskId, failure)) || Date.now() > deadline) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * How long an action waits for a workflow that is behind its own projection: a worker died after
 * the projection of a workflow task was written (a local activity) and before the task's
 * completion reached Temporal. The task runs again once it times out (10 s), producing the same
 * tasks; until then the workflow does not know a task its projection already shows.
 */
const CATCH_UP_MS = 15_000;

async function workflowBehindProjection(deps: ApiDependencies, instanceId: string, taskId: string | undefined, failure: unknown): Promise<boolean> {
  if (!taskId || !(failure instanceof ApiError) || failure.code !== 'TASK_NOT_FOUND') return false;
  const projected = await findProjectedView(deps.db, instanceId);
  return projected?.tasks.some((t) => t.taskId === taskId && t.status === 'pending') === true;
}

/**
 * Ops, after fixing the ERP: runs the failed compensations of a `compensation_failed` instance
 * again. The request id is the update id, so a repeat does nothing twice.
 */
export async function retryCompensations(deps: ApiDependencies, instanceId: string, requestId: string, appKey: string): Promise<InstanceView> {
  if (!parseInstanceId(instanceId)) throw instanceNotFound(instanceId);
  try {
    return await deps.temporal.workflow
      .getHandle(instanceId)
      .executeUpdate(retryCompensationsUpdate, { args: [{ actorId: `app:${appKey}` }], updateId: `retry-compensations:${requestId}` });
  } catch (err) {
    throw (await updateFailure(deps, instanceId, err, 'INSTANCE_NOT_COMPENSATION_FAILED')) ?? err;
  }
}

/** A refusal, or (Temporal found no running workflow) `whenClosed` for a closed instance and 404 for none; undefined for anything else. */
export async function updateFailure(
  deps: ApiDependencies,
  instanceId: string,
  err: unknown,
  whenClosed: 'INSTANCE_NOT_RUNNING' | 'INSTANCE_NOT_COMPENSATION_FAILED',
) {
  const refused = refusalError(err);
  if (refused) return refused;
  if (!isWorkflowNotFound(err)) return undefined;
  const view = await viewInstance(deps, instanceId);
  return new ApiError(whenClosed, `instance ${instanceId} is ${view.status}`);
}

/** The people a transfer or an add_signer names, as tasks will go to them (after delegation): only the database knows. */
async function withTargets(deps: ApiDependencies, flowCode: string, body: ActorAction): Promise<ActionRequest> {
  switch (body.type) {
    case 'transfer':
      return { ...body, targets: await resolveActionTargets(deps.db, flowCode, 'toUserId', [body.toUserId]) };
    case 'add_signer':
      return { ...body, targets: await resolveActionTargets(deps.db, flowCode, 'signers', body.signers) };
    default:
      return body;
  }
}
