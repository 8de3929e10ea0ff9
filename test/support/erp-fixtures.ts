import { randomBytes } from 'node:crypto';
import type { SignedClient } from '../../client/signed-client';
import type { FlowDefinition, FlowNode } from '../../engine/dsl';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { startErpSandbox, type RunningErpSandbox } from '../../sandbox/erp/erp-sandbox';
import type { RecordedOperation } from '../../sandbox/erp/sandbox-state';
import { searchAttributes } from '../../temporal-config';
import { expectOk, instancePath, pollUntil, syncTestUsers, testForm, uid } from './fixtures';
import type { TestStack } from './test-stack';

/**
 * Shared by erp-saga.int.test.ts and webhooks.int.test.ts: the ERP sandbox served in-process,
 * registered as an ERP system over the API (SPEC §8), an ERP app whose webhooks it trusts, and
 * flows with service nodes.
 */

export type ErpApp = SignedClient & { appKey: string; secret: string };

export interface ErpWorld {
  sandbox: RunningErpSandbox;
  /** The app that starts instances (and acts for users): its secret signs the webhooks, and the sandbox trusts it. */
  erp: ErpApp;
  /** The registered system's code (`erp_…`). */
  system: string;
  /** The sandbox's webhook receiver, with a query string (which is signed too). */
  callbackUrl: string;
  close(): Promise<void>;
}

/** What the approval center signs its ERP calls with, and what the sandbox checks them against. */
export const CENTER = { appKey: 'center', secret: randomBytes(16).toString('hex') };

/**
 * Operations of the registered system. `_2` works on the business key `{bk}/2`, so a second
 * service node has a reservation of its own (and its release releases only that one).
 */
export function erpSystemBody(code: string, baseUrl: string) {
  return {
    code,
    name: 'ERP 沙箱',
    baseUrl,
    auth: { type: 'hmac', appKey: CENTER.appKey, secret: CENTER.secret },
    operations: {
      reserve_budget: {
        method: 'POST',
        path: '/budget/reserve',
        body: { businessKey: '{{businessKey}}', amount: '{{form.amount}}', instanceId: '{{instance.id}}' },
      },
      release_budget: { method: 'POST', path: '/budget/release', body: { businessKey: '{{businessKey}}' } },
      reserve_budget_2: {
        method: 'POST',
        path: '/budget/reserve',
        body: { businessKey: '{{businessKey}}/2', amount: '{{form.amount}}', instanceId: '{{instance.id}}' },
      },
      release_budget_2: { method: 'POST', path: '/budget/release', body: { businessKey: '{{businessKey}}/2' } },
    },
    writeBack: {
      method: 'POST',
      path: '/documents/{{source.type}}/{{source.id}}/approval-result',
      body: { status: '{{status}}', instanceId: '{{instance.id}}' },
    },
  };
}

/** Sandbox up, ERP app registered and trusted, system registered, test users synced. */
export async function setUpErpWorld(stack: TestStack, permissions: Parameters<TestStack['appWith']>[0] = ['start', 'act_for']): Promise<ErpWorld> {
  const erp = await stack.appWith(permissions);
  const sandbox = await startErpSandbox({ webhookApps: { [erp.appKey]: erp.secret }, inboundAuth: { type: 'hmac', ...CENTER } });
  const system = uid('erp').toLowerCase();
  await expectOk(stack.api.request('POST', '/api/v1/systems', erpSystemBody(system, sandbox.url)), 201);
  await syncTestUsers(stack.api);
  return { sandbox, erp, system, callbackUrl: `${sandbox.url}/webhooks/approval?tenant=t1`, close: () => sandbox.close() };
}

export const service = (id: string, system: string, next: string, suffix = ''): FlowNode => ({
  id,
  type: 'service',
  name: `预占预算 ${id}`,
  call: { system, operation: `reserve_budget${suffix}` },
  compensate: { system, operation: `release_budget${suffix}` },
  next,
});

export const approval = (id: string, approvers: string[], next: string): FlowNode => ({
  id,
  type: 'approval',
  name: `审批 ${id}`,
  approvers: { type: 'users', ids: approvers },
  mode: 'any',
  next,
});

export function flowOf(code: string, nodes: FlowNode[]): FlowDefinition {
  return {
    code,
    name: `ERP 流程 ${code}`,
    form: testForm,
    nodes: [...nodes, { id: 'end', type: 'end' }],
  };
}

export interface Started {
  instanceId: string;
  businessKey: string;
  source: { system: string; type: string; id: string };
  form: { amount: number; title: string };
}

/** Starts an instance as the ERP app; `callback: false` leaves out the callbackUrl. */
export async function startErpInstance(world: ErpWorld, flowCode: string, options: { amount?: number; callback?: boolean } = {}): Promise<Started> {
  const businessKey = uid('PO');
  const source = { system: world.system, type: 'purchase_order', id: businessKey };
  const form = { amount: options.amount ?? 1_250, title: '采购' };
  const body = {
    flowCode,
    businessKey,
    initiatorId: 'u_initiator',
    form,
    source,
    ...(options.callback === false ? {} : { callbackUrl: world.callbackUrl }),
  };
  const started = await expectOk<{ instanceId: string; status: string }>(world.erp.request('POST', '/api/v1/instances', body), 201);
  expect(started.instanceId).toBe(`approval:${flowCode}:${businessKey}`);
  return { instanceId: started.instanceId, businessKey, source, form };
}

/** An action as the ERP app, on behalf of `actorId`. */
export function actAs(world: ErpWorld, instanceId: string, body: { type: string; actorId: string } & Record<string, unknown>) {
  return world.erp.request<InstanceView & { error?: { code: string } }>('POST', `${instancePath(instanceId)}/actions`, { actionId: uid('act'), ...body });
}

export async function timelineTypes(api: SignedClient, instanceId: string): Promise<string[]> {
  const timeline = await expectOk<TimelineView>(api.request('GET', `${instancePath(instanceId)}/timeline`));
  return timeline.events.map((e) => e.type);
}

export async function timelineOf(api: SignedClient, instanceId: string): Promise<TimelineView['events']> {
  return (await expectOk<TimelineView>(api.request('GET', `${instancePath(instanceId)}/timeline`))).events;
}

/** The instance view (projection) once its status is `status`. */
export function waitForStatus(api: SignedClient, instanceId: string, status: string, timeoutMs = 15_000): Promise<InstanceView> {
  return pollUntil(
    `instance ${instanceId} status ${status}`,
    async () => expectOk<InstanceView>(api.request('GET', instancePath(instanceId))),
    (view) => view.status === status,
    timeoutMs,
  );
}

/** The sandbox operations carrying this instance's idempotency keys (`{instanceId}:…`), in the order they were applied. */
export const operationsOf = (world: ErpWorld, instanceId: string): RecordedOperation[] =>
  world.sandbox.state.operations().filter((o) => o.idempotencyKey.startsWith(`${instanceId}:`));

/** [operation, idempotencyKey] of the applied operations of the instance: compact to compare. */
export const operationRows = (world: ErpWorld, instanceId: string) => operationsOf(world, instanceId).map((o) => [o.operation, o.idempotencyKey]);

export async function statusAttribute(stack: TestStack, instanceId: string): Promise<string | undefined> {
  return (await stack.temporal.workflow.getHandle(instanceId).describe()).typedSearchAttributes.get(searchAttributes.status);
}

/** How often the workflow scheduled an activity of this type (each retry is the same scheduled activity). */
export async function scheduledActivities(stack: TestStack, instanceId: string, activityType: string): Promise<number> {
  const history = await stack.temporal.workflow.getHandle(instanceId).fetchHistory();
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
}

export const taskIdOf = (view: InstanceView, assigneeId: string, status = 'pending'): string => {
  const task = view.tasks.find((t) => t.assigneeId === assigneeId && t.status === status);
  if (!task) throw new Error(`no ${status} task of ${assigneeId}: ${JSON.stringify(view.tasks)}`);
  return task.taskId;
};
