import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { findErpSystems } from '../../db/erp-systems';
import { findActiveUsers } from '../../db/org';
import type { FlowDefinition, FormValues } from '../../engine/dsl';
import { instanceIdOf } from '../../engine/instance-id';
import type { InstanceStatus, StartInstanceInput } from '../../engine/instance';
import { plannedRoute } from '../../engine/preview';
import { searchAttributes } from '../../temporal-config';
import { isWorkflowNotFound } from '../../temporal-config/workflow-not-found';
import type { approvalWorkflow } from '../../workflows';
import { APPROVAL_WORKFLOW_TYPE } from '../../workflows/messages';
import type { ApiDependencies } from '../context';
import { ApiError, validationFailed } from '../errors';
import type { StartInstanceBody } from '../schemas/instances';
import { assertValidForm, isActiveUser, latestPublished, unknownInitiator } from './flow-checks';

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
  status: InstanceStatus;
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
  const instanceId = instanceIdOf(body.flowCode, body.businessKey);
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
    ...(deps.config.dingtalk ? { approverChannel: true } : {}),
    ...(deps.config.retries ? { retries: deps.config.retries } : {}),
  };
  try {
    await deps.temporal.workflow.start<typeof approvalWorkflow>(APPROVAL_WORKFLOW_TYPE, {
      taskQueue: deps.config.taskQueue,
      workflowId: instanceId,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      memo: { payloadHash, flowVersion: published.version, appKey },
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
    if (isWorkflowNotFound(err)) return undefined;
    throw err;
  }
  if (description.memo?.payloadHash !== payloadHash) {
    throw new ApiError('BUSINESS_KEY_CONFLICT', `instance ${instanceId} already exists with a different payload`);
  }
  // From memo and search attributes: answers even while no worker is up to serve a query.
  return {
    created: false,
    instanceId,
    flowVersion: Number(description.memo?.flowVersion),
    status: (description.typedSearchAttributes.get(searchAttributes.status) ?? 'running') as InstanceStatus,
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
  if (problems.length > 0) throw validationFailed(problems);
}

async function checkSelectedApproversExist(deps: ApiDependencies, selected: Record<string, string[]>): Promise<void> {
  const ids = [...new Set(Object.values(selected).flat())];
  const active = await findActiveUsers(deps.db, ids);
  const problems = Object.entries(selected).flatMap(([nodeId, list]) =>
    list.flatMap((id, i) => (active.has(id) ? [] : [{ field: `selectedApprovers.${nodeId}.${i}`, message: `"${id}" is not an active user` }])),
  );
  if (problems.length > 0) throw new ApiError('UNKNOWN_USER', problems.map((p) => p.message).join('; '), problems);
}
