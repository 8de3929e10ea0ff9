import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { SignedClient } from '../../client/signed-client';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';

export const uid = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** The form of the test flows: a required amount, a title. */
export const testForm: FlowDefinition['form'] = {
  fields: [
    { key: 'amount', type: 'number', required: true },
    { key: 'title', type: 'string' },
  ],
};

export const testUsers = [
  { id: 'u_initiator', name: '发起人', deptIds: ['d1'] },
  { id: 'u_a', name: '审批人甲', deptIds: ['d1'] },
  { id: 'u_b', name: '审批人乙', deptIds: ['d1'] },
  { id: 'u_outsider', name: '局外人', deptIds: ['d2'] },
];

export function oneApprovalFlow(code: string, approvers: string[], extra: Partial<FlowDefinition['nodes'][number]> = {}): FlowDefinition {
  return {
    code,
    name: `测试流程 ${code}`,
    form: testForm,
    nodes: [
      { id: 'start', type: 'start', next: 'approve' },
      {
        id: 'approve',
        type: 'approval',
        name: '审批',
        approvers: { type: 'users', ids: approvers },
        mode: 'any',
        next: 'end',
        ...extra,
      } as FlowDefinition['nodes'][number],
      { id: 'end', type: 'end' },
    ],
  };
}

export async function expectOk<T>(promise: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const response = await promise;
  if (response.status !== status) throw new Error(`expected HTTP ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function syncTestUsers(api: SignedClient): Promise<void> {
  await expectOk(api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: testUsers }));
}

export async function publishFlow(api: SignedClient, definition: FlowDefinition): Promise<number> {
  const saved = await api.request('POST', '/api/v1/definitions', definition);
  if (saved.status !== 201 && saved.status !== 200) throw new Error(`saving ${definition.code} failed: ${JSON.stringify(saved.body)}`);
  const published = await api.request<{ version: number }>('POST', `/api/v1/definitions/${definition.code}/publish`);
  if (published.status !== 201 && published.status !== 200) throw new Error(`publishing ${definition.code} failed: ${JSON.stringify(published.body)}`);
  return published.body.version;
}

export function startBody(flowCode: string, businessKey = uid('BK'), form: Record<string, unknown> = { amount: 100, title: '测试' }) {
  return { flowCode, businessKey, initiatorId: 'u_initiator', form, source: { system: 'erp', type: 'purchase.order', id: businessKey } };
}

export const instancePath = (instanceId: string) => `/api/v1/instances/${encodeURIComponent(instanceId)}`;

/** Polls `probe` until `done` holds of its answer. */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls the instance until `predicate` holds (approver resolution is an activity, so tasks appear shortly after start). */
export async function waitForView(
  api: SignedClient,
  instanceId: string,
  predicate: (view: InstanceView) => boolean,
  timeoutMs = 15_000,
): Promise<InstanceView> {
  const response = await pollUntil(
    `instance ${instanceId} in the expected state`,
    () => api.request<InstanceView>('GET', instancePath(instanceId)),
    (r) => r.status === 200 && predicate(r.body),
    timeoutMs,
  );
  return response.body;
}

/**
 * Polls the workflow's search attributes until `predicate` holds. The workflow upserts them once the commands a change
 * caused have run, so they may trail the projection the API serves by a workflow task.
 */
export async function waitForSearchAttributes(
  temporal: Client,
  workflowId: string,
  predicate: (attributes: TypedSearchAttributes) => boolean,
  timeoutMs = 10_000,
): Promise<TypedSearchAttributes> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const attributes = (await temporal.workflow.getHandle(workflowId).describe()).typedSearchAttributes;
    if (predicate(attributes) || Date.now() >= deadline) return attributes;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const hasPendingTasks = (view: InstanceView) => view.tasks.some((t) => t.status === 'pending');

export async function historyEventTypes(temporal: Client, workflowId: string): Promise<string[]> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => String(e.eventType));
}

/** The usual start of a test file: the test org synced and one published one-approval flow. */
export async function seedOrgAndFlow(api: SignedClient, prefix: string, approvers: string[]): Promise<string> {
  await syncTestUsers(api);
  const flowCode = uid(prefix);
  await publishFlow(api, oneApprovalFlow(flowCode, approvers));
  return flowCode;
}

export const HOUR = 3_600_000;
/** An ISO time `hours` from now (negative: ago). */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

export interface DelegationSpec {
  delegatorId: string;
  delegateId: string;
  /** Began this many hours ago (default 1). */
  hoursAgo?: number;
  /** Ends this many hours from now (default 24). */
  hoursAhead?: number;
  flowCodes?: string[];
  reason?: string;
}

/** 委托 over the API, running now: answers its id. */
export async function delegate(api: SignedClient, spec: DelegationSpec): Promise<string> {
  const { hoursAgo = 1, hoursAhead = 24, ...rest } = spec;
  const created = await expectOk<{ id: string }>(
    api.request('POST', '/api/v1/delegations', { ...rest, startsAt: hoursFromNow(-hoursAgo), endsAt: hoursFromNow(hoursAhead) }),
    201,
  );
  return created.id;
}
