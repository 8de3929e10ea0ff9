import { createHash } from 'node:crypto';
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { findLatestVersion, findDraft } from '../../db/definitions';
import { findActiveUsers } from '../../db/org';
import { validateForm } from '../../engine/form';
import type { ActionRequest, RefusalCode, StartInstanceInput } from '../../engine/instance';
import type { InstanceView } from '../../engine/instance-view';
import { searchAttributes } from '../../temporal-config';
import { actUpdate, APPROVAL_WORKFLOW_TYPE, instanceViewQuery, instanceWorkflowId } from '../../workflows/messages';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { StartInstanceBody } from '../schemas';
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
  const published = await findLatestVersion(deps.db, body.flowCode);
  if (!published) {
    const draft = await findDraft(deps.db, body.flowCode);
    throw new ApiError(404, 'FLOW_NOT_FOUND', draft ? `flow "${body.flowCode}" has no published version` : `no flow "${body.flowCode}"`);
  }
  const formProblems = validateForm(published.definition.form.fields, body.form);
  if (formProblems.length > 0) {
    throw new ApiError(400, 'VALIDATION_FAILED', formProblems.map((p) => `${p.field}: ${p.message}`).join('; '), formProblems);
  }
  const instanceId = instanceWorkflowId(body.flowCode, body.businessKey);
  const payloadHash = startPayloadHash(body);
  if ((await findActiveUsers(deps.db, [body.initiatorId])).size === 0) {
    // A retry of a start whose initiator has since left still gets its instance back.
    const existing = await existingInstance(deps, instanceId, payloadHash);
    if (existing) return existing;
    throw new ApiError(422, 'UNKNOWN_USER', `initiatorId "${body.initiatorId}" is not an active user`, [{ field: 'initiatorId', message: 'unknown or inactive user' }]);
  }

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

export async function viewInstance(deps: ApiDependencies, instanceId: string): Promise<InstanceView> {
  try {
    return await deps.temporal.workflow.getHandle(instanceId).query(instanceViewQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'INSTANCE_NOT_FOUND', `no instance ${instanceId}`);
    throw err;
  }
}

const refusalStatus: Record<RefusalCode, 403 | 404 | 409 | 422> = {
  NOT_ASSIGNEE: 403,
  TASK_NOT_FOUND: 404,
  TASK_NOT_PENDING: 409,
  INSTANCE_NOT_RUNNING: 409,
};

/**
 * Sends an action as a Workflow Update whose id is the action's `actionId`: a repeat returns the
 * first answer and does nothing again; a refusal by the validator leaves no trace in history.
 */
export async function actOnInstance(deps: ApiDependencies, instanceId: string, action: ActionRequest): Promise<InstanceView> {
  const handle = deps.temporal.workflow.getHandle(instanceId);
  try {
    return await handle.executeUpdate(actUpdate, { args: [action], updateId: action.actionId });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type && err.cause.type in refusalStatus) {
      const code = err.cause.type as RefusalCode;
      throw new ApiError(refusalStatus[code], code, err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === 5)) {
      // NOT_FOUND: no such workflow, or it has closed; tell the two apart.
      const view = await viewInstance(deps, instanceId);
      throw new ApiError(409, 'INSTANCE_NOT_RUNNING', `instance ${instanceId} is ${view.status}`);
    }
    throw err;
  }
}
