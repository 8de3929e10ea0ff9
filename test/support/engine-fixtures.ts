import type { SignedClient, SignedResponse } from '../../client/signed-client';
import type { Db } from '../../db/client';
import { listNotifications, type Notification } from '../../db/notifications';
import type { ApprovalNode, FlowDefinition, FlowNode } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import type { TimelineEvent } from '../../engine/state';
import { expectOk, instancePath, publishFlow, testForm, uid, waitForView } from './fixtures';

/**
 * Helpers for the engine-level integration tests (approval modes, approver sources, route
 * preview): build small flows, push a small org, start and act over the HTTP API.
 */

export type ApprovalSpec = Omit<ApprovalNode, 'id' | 'type' | 'next'> & { next?: string };
/** A node before `chainFlow` fills in a missing `next`. */
export type LooseNode = FlowNode | (Omit<Extract<FlowNode, { next: string }>, 'next'> & { next?: string });

/** An approval node; without `next`, `chainFlow` links it to the node after it. */
export function approval(id: string, spec: ApprovalSpec): LooseNode {
  return { id, type: 'approval', ...spec } as LooseNode;
}

/**
 * A flow `start → nodes… → end`: a node without `next` leads to the node listed after it (the
 * last one to "end"); conditions and nodes with their own `next` keep theirs.
 */
export function chainFlow(code: string, nodes: LooseNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition {
  const chained = nodes.map((node, i): FlowNode => {
    if (node.type === 'condition' || node.type === 'parallel' || node.type === 'end' || node.type === 'start') return node as FlowNode;
    if ((node as { next?: string }).next !== undefined) return node as FlowNode;
    return { ...node, next: nodes[i + 1]?.id ?? 'end' } as FlowNode;
  });
  return {
    code,
    name: `引擎测试 ${code}`,
    form: testForm,
    nodes: [{ id: 'start', type: 'start', next: chained[0]?.id ?? 'end' }, ...chained, { id: 'end', type: 'end' }],
    ...extra,
  };
}

/** A one-approval flow `start → approve → end`, published; answers its code. */
export async function publishOneNode(api: SignedClient, prefix: string, spec: ApprovalSpec, extra: Partial<FlowDefinition> = {}): Promise<string> {
  const code = uid(prefix);
  await publishFlow(api, chainFlow(code, [approval('approve', spec)], extra));
  return code;
}

export interface StartOptions {
  initiatorId?: string;
  businessKey?: string;
  form?: Record<string, unknown>;
  selectedApprovers?: Record<string, string[]>;
}

export function startRequest(flowCode: string, options: StartOptions = {}) {
  const businessKey = options.businessKey ?? uid('BK');
  return {
    flowCode,
    businessKey,
    initiatorId: options.initiatorId ?? 'u_initiator',
    form: options.form ?? { amount: 100, title: '测试' },
    source: { system: 'erp', type: 'purchase.order', id: businessKey },
    ...(options.selectedApprovers ? { selectedApprovers: options.selectedApprovers } : {}),
  };
}

export interface Started {
  instanceId: string;
  flowVersion: number;
  status: string;
}

export async function start(api: SignedClient, flowCode: string, options: StartOptions = {}): Promise<Started> {
  return expectOk<Started>(api.request('POST', '/api/v1/instances', startRequest(flowCode, options)), 201);
}

/** The instance once its first approval node has resolved (a pending task) or it has ended. */
export const settledView = (view: InstanceView) => view.status !== 'running' || view.tasks.some((t) => t.status === 'pending');

/** Starts and waits until there is a pending task or the instance has ended. */
export async function startSettled(api: SignedClient, flowCode: string, options: StartOptions = {}): Promise<InstanceView> {
  const started = await start(api, flowCode, options);
  return waitForView(api, started.instanceId, settledView);
}

export function act(
  api: SignedClient,
  instanceId: string,
  type: string,
  actorId: string,
  extra: Record<string, unknown> = {},
): Promise<SignedResponse<InstanceView>> {
  return api.request<InstanceView>('POST', `${instancePath(instanceId)}/actions`, { type, actionId: uid('act'), actorId, ...extra });
}

/** An action that must succeed; answers the view it returned. */
export function actOk(api: SignedClient, instanceId: string, type: string, actorId: string, extra: Record<string, unknown> = {}): Promise<InstanceView> {
  return expectOk(act(api, instanceId, type, actorId, extra));
}

/** `[nodeId, assigneeId, status]` per task, in task order. */
export const taskRows = (view: InstanceView) => view.tasks.map((t) => [t.nodeId, t.assigneeId, t.status]);
/** `[assigneeId, status]` per task of one node. */
export const nodeTasks = (view: InstanceView, nodeId: string) => view.tasks.filter((t) => t.nodeId === nodeId).map((t) => [t.assigneeId, t.status]);
export const pendingAssignees = (view: InstanceView) => view.tasks.filter((t) => t.status === 'pending').map((t) => t.assigneeId);

export async function timeline(api: SignedClient, instanceId: string): Promise<TimelineEvent[]> {
  const body = await expectOk<{ events: TimelineEvent[] }>(api.request('GET', `${instancePath(instanceId)}/timeline`));
  return body.events;
}

export interface OrgUser {
  id: string;
  name?: string;
  deptIds?: string[];
  managerId?: string;
  title?: string;
  roles?: string[];
}

export interface OrgDepartment {
  id: string;
  name?: string;
  parentId?: string;
  leaderIds?: string[];
}

/** Pushes departments, then users (incremental), over the sync endpoints. */
export async function syncOrg(api: SignedClient, org: { departments?: OrgDepartment[]; users: OrgUser[] }): Promise<void> {
  if (org.departments && org.departments.length > 0) {
    await expectOk(
      api.request('POST', '/api/v1/sync/departments', {
        mode: 'incremental',
        departments: org.departments.map((d) => ({ name: d.id, ...d })),
      }),
    );
  }
  await expectOk(
    api.request('POST', '/api/v1/sync/users', {
      mode: 'incremental',
      users: org.users.map((u) => ({ name: u.id, deptIds: [], ...u })),
    }),
  );
}

/**
 * The instance's outbox rows once there are at least `count` (the notify activity runs after the
 * lookups queued before it, so a view may settle a moment before its notices are written).
 */
export async function waitForNotifications(db: Db, instanceId: string, count: number, timeoutMs = 5_000): Promise<Notification[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await listNotifications(db, { instanceId });
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
