import { createHash } from 'node:crypto';
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, type QueryDefinition } from '@temporalio/common';
import { findVersion } from '../../db/definitions';
import { findErpSystems } from '../../db/erp-systems';
import { findProjectedTimeline, findProjectedView } from '../../db/instance-reads';
import { findActiveUsers } from '../../db/org';
import { REFUSAL_STATUS, type ActionRequest, type RefusalCode } from '../../engine/actions';
import type { FlowDefinition, FormValues } from '../../engine/dsl';
import type { StartInstanceInput } from '../../engine/instance';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { plannedRoute } from '../../engine/preview';
import { searchAttributes } from '../../temporal-config';
import { actUpdate, APPROVAL_WORKFLOW_TYPE, instanceViewQuery, instanceWorkflowId, retryCompensationsUpdate, timelineQuery } from '../../workflows/messages';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { ActionBody, StartInstanceBody } from '../schemas';
import { resolveActionTargets } from './action-targets';
import { assertValidForm, isActiveUser, latestPublished, unknownInitiator } from './flow-checks';
import type { approvalWorkflow } from '../../workflows';

/** Key order independent JSON, so equal payloads hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function startPayloadHash(body: StartInstanceBody): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface StartAnswer {
  created: boolean;
  instanceId: string;
  flowVersion: number;
  status: string;
}

/**
 * Starts an instance of the latest published version. The workflow id is the idempotency key:
 * the same flowCode + businessKey again answers the existing instance if the payload is the same
 * (by hash, kept in the workflow's memo), and 409 if it differs.
 */
export async function startApproval(deps: ApiDependencies, appKey: string, body: StartInstanceBody): Promise<StartAnswer> {
  const published = await latestPublished(deps, body.flowCode);
  assertValidForm(published.definition, body.form);
  checkSelectedApproverShape(published.definition, body.form, body.selectedApprovers ?? {});
  const instanceId = instanceWorkflowId(body.flowCode, body.businessKey);
  const payloadHash = startPayloadHash(body);
  if (!(await isActiveUser(deps, body.initiatorId))) {
    // A retry of a start whose initiator has since left still gets its instance back.
    const existing = await existingInstance(deps, instanceId, payloadHash);
    if (existing) return existing;
    throw unknownInitiator(body.initiatorId);
  }
  await checkSelectedApproversExist(deps, body.selectedApprovers ?? {});
  // Decided at start, like the definition snapshot: the source's system writes back if it had a writeBack then.
  const sourceSystem = (await findErpSystems(deps.db, [body.source.system])).get(body.source.system);

  const input: StartInstanceInput = {
    instanceId,
    flowCode: body.flowCode,
    flowVersion: published.version,
    definition: published.definition,
    businessKey: body.businessKey,
    initiatorId: body.initiatorId,
    form: body.form,
    source: body.source,
    ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
    appKey,
    ...(body.selectedApprovers ? { selectedApprovers: body.selectedApprovers } : {}),
    ...(deps.config.historyLimit ? { historyLimit: deps.config.historyLimit } : {}),
    ...(body.callbackUrl ? { webhooks: true } : {}),
    ...(sourceSystem?.hasWriteBack ? { writeBack: true } : {}),
    ...(deps.config.retries ? { retries: deps.config.retries } : {}),
  };
  try {
    await deps.temporal.workflow.start<typeof approvalWorkflow>(APPROVAL_WORKFLOW_TYPE, {
      taskQueue: deps.config.taskQueue,
      workflowId: instanceId,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      memo: { payloadHash, flowVersion: published.version },
      typedSearchAttributes: [
        { key: searchAttributes.flowCode, value: body.flowCode },
        { key: searchAttributes.status, value: 'running' },
        { key: searchAttributes.businessKey, value: body.businessKey },
        { key: searchAttributes.initiator, value: body.initiatorId },
        { key: searchAttributes.assignees, value: [] },
        { key: searchAttributes.sourceSystem, value: body.source.system },
      ],
      staticSummary: summaryOf(published.definition.name, body),
      staticDetails: detailsOf(published.version, body),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // A repeated start (or a race with one): the same payload gets the instance, another one 409.
      const existing = await existingInstance(deps, instanceId, payloadHash);
      if (existing) return existing;
    }
    throw err;
  }
  return { created: true, instanceId, flowVersion: published.version, status: 'running' };
}

async function existingInstance(deps: ApiDependencies, instanceId: string, payloadHash: string): Promise<StartAnswer | undefined> {
  let description;
  try {
    description = await deps.temporal.workflow.getHandle(instanceId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (description.memo?.payloadHash !== payloadHash) {
    throw new ApiError(409, 'BUSINESS_KEY_CONFLICT', `instance ${instanceId} already exists with a different payload`);
  }
  // From memo and search attributes: answers even while no worker is up to serve a query.
  return {
    created: false,
    instanceId,
    flowVersion: Number(description.memo?.flowVersion),
    status: description.typedSearchAttributes.get(searchAttributes.status) ?? 'running',
  };
}

function summaryOf(flowName: string, body: StartInstanceBody): string {
  const amount = body.form.amount;
  return [flowName, body.businessKey, typeof amount === 'number' ? `¥${amount}` : undefined].filter(Boolean).join(' · ');
}

function detailsOf(flowVersion: number, body: StartInstanceBody): string {
  return [
    `**${body.flowCode}** v${flowVersion}, business key \`${body.businessKey}\``,
    `initiator: ${body.initiatorId}; source: ${body.source.system}/${body.source.type}/${body.source.id}`,
  ].join('\n\n');
}

async function queryInstance<T>(deps: ApiDependencies, instanceId: string, query: QueryDefinition<T>): Promise<T> {
  try {
    return await deps.temporal.workflow.getHandle(instanceId).query(query);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'INSTANCE_NOT_FOUND', `no instance ${instanceId}`);
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

/**
 * Sends an action as a Workflow Update whose id is the action's `actionId`: a repeat returns the
 * first answer and does nothing again; a refusal by the validator leaves no trace in history.
 */
export async function actOnInstance(deps: ApiDependencies, instanceId: string, body: ActionBody): Promise<InstanceView> {
  const action = await prepareAction(deps, instanceId, body);
  const handle = deps.temporal.workflow.getHandle(instanceId);
  try {
    return await handle.executeUpdate(actUpdate, { args: [action], updateId: action.actionId });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type && err.cause.type in REFUSAL_STATUS) {
      const code = err.cause.type as RefusalCode;
      throw new ApiError(REFUSAL_STATUS[code], code, err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === 5)) {
      // NOT_FOUND: no such workflow, or it has closed; tell the two apart.
      const view = await viewInstance(deps, instanceId);
      throw new ApiError(409, 'INSTANCE_NOT_RUNNING', `instance ${instanceId} is ${view.status}`);
    }
    throw err;
  }
}

/**
 * Ops, after fixing the ERP: runs the failed compensations of a `compensation_failed` instance
 * again. The request id is the update id, so a repeat does nothing twice.
 */
export async function retryCompensations(deps: ApiDependencies, instanceId: string, requestId: string, appKey: string): Promise<InstanceView> {
  const handle = deps.temporal.workflow.getHandle(instanceId);
  try {
    return await handle.executeUpdate(retryCompensationsUpdate, { args: [{ actorId: `app:${appKey}` }], updateId: `retry-compensations:${requestId}` });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'INSTANCE_NOT_COMPENSATION_FAILED') {
      throw new ApiError(409, 'INSTANCE_NOT_COMPENSATION_FAILED', err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === 5)) {
      const view = await viewInstance(deps, instanceId);
      throw new ApiError(409, 'INSTANCE_NOT_COMPENSATION_FAILED', `instance ${instanceId} is ${view.status}`);
    }
    throw err;
  }
}

/** The update's payload: the body, plus what only the database knows (targets after delegation, a resubmitted form's check). */
async function prepareAction(deps: ApiDependencies, instanceId: string, body: ActionBody): Promise<ActionRequest> {
  const { toUserId, signers, form, ...rest } = body;
  const action: ActionRequest = { ...rest };
  const flowCode = instanceId.split(':')[1] ?? '';
  if (body.type === 'transfer' && toUserId !== undefined) {
    action.toUserId = toUserId;
    action.targets = await resolveActionTargets(deps.db, flowCode, 'toUserId', [toUserId]);
  } else if (body.type === 'add_signer' && signers !== undefined) {
    action.signers = signers;
    action.targets = await resolveActionTargets(deps.db, flowCode, 'signers', signers);
  } else if (body.type === 'remove_signer' && signers !== undefined) {
    action.signers = signers;
  } else if (body.type === 'resubmit' && form !== undefined) {
    const view = await viewInstance(deps, instanceId);
    const version = await findVersion(deps.db, view.flowCode, view.flowVersion);
    if (!version) throw new Error(`instance ${instanceId} runs ${view.flowCode} v${view.flowVersion}, which is not in the database`);
    assertValidForm(version.definition, form);
    action.form = form;
  }
  return action;
}

/**
 * `selectedApprovers` (自选审批人): only for initiator_select nodes, and every such node the
 * route will pass needs its choice — one person unless the node allows several.
 */
function checkSelectedApproverShape(definition: FlowDefinition, form: FormValues, selected: Record<string, string[]>): void {
  const problems: Array<{ field: string; message: string }> = [];
  const selectable = new Map(
    definition.nodes.flatMap((n) =>
      n.type === 'approval' && n.approvers.type === 'initiator_select' ? [[n.id, n.approvers.multiple !== false] as const] : [],
    ),
  );
  for (const nodeId of Object.keys(selected)) {
    if (!selectable.has(nodeId)) problems.push({ field: `selectedApprovers.${nodeId}`, message: 'is not an initiator_select approval node' });
  }
  for (const node of plannedRoute(definition, form)) {
    const multiple = selectable.get(node.id);
    if (multiple === undefined) continue;
    const chosen = selected[node.id] ?? [];
    if (chosen.length === 0) problems.push({ field: `selectedApprovers.${node.id}`, message: 'the initiator must choose the approvers of this node' });
    else if (!multiple && chosen.length > 1) problems.push({ field: `selectedApprovers.${node.id}`, message: 'this node takes exactly one approver' });
  }
  if (problems.length > 0) throw new ApiError(400, 'VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
}

async function checkSelectedApproversExist(deps: ApiDependencies, selected: Record<string, string[]>): Promise<void> {
  const ids = [...new Set(Object.values(selected).flat())];
  const active = await findActiveUsers(deps.db, ids);
  const problems = Object.entries(selected).flatMap(([nodeId, list]) =>
    list.flatMap((id, i) => (active.has(id) ? [] : [{ field: `selectedApprovers.${nodeId}.${i}`, message: `"${id}" is not an active user` }])),
  );
  if (problems.length > 0) throw new ApiError(422, 'UNKNOWN_USER', problems.map((p) => p.message).join('; '), problems);
}
