import { temporal as proto } from '@temporalio/proto';
import type { SignedClient, SignedResponse } from '../../client/signed-client';
import type { ApprovalMode, FlowDefinition, FlowNode } from '../../engine/dsl';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import {
  expectOk,
  hasPendingTasks,
  historyEventTypes,
  instancePath,
  pollUntil,
  publishFlow,
  startBody,
  testForm,
  testUsers,
  uid,
  waitForView,
} from './fixtures';
import { instanceViewQuery } from '../../workflows/messages';
import { startTestStack, type TestStack, type TestStackOptions } from './test-stack';

/** Helpers shared by the approval-actions*.int.test.ts files (SPEC §5 actions over HTTP). */

/** The test org plus a few more approvers (signers, transfer targets). */
export const actionUsers = [
  ...testUsers,
  { id: 'u_c', name: '审批人丙', deptIds: ['d1'] },
  { id: 'u_d', name: '审批人丁', deptIds: ['d1'] },
  { id: 'u_e', name: '审批人戊', deptIds: ['d1'] },
];

export async function syncActionUsers(api: SignedClient): Promise<void> {
  await expectOk(api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: actionUsers }));
}

export interface ApprovalStep {
  id: string;
  approvers: string[];
  mode?: ApprovalMode;
  extra?: Record<string, unknown>;
}

/** start → steps[0] → steps[1] … → end, every approval node with `users` approvers. */
export function chainFlow(code: string, steps: ApprovalStep[]): FlowDefinition {
  const nodes: FlowNode[] = [{ id: 'start', type: 'start', next: steps[0]!.id }];
  steps.forEach((step, i) => {
    nodes.push({
      id: step.id,
      type: 'approval',
      name: `节点 ${step.id}`,
      approvers: { type: 'users', ids: step.approvers },
      mode: step.mode ?? 'any',
      next: steps[i + 1]?.id ?? 'end',
      ...step.extra,
    } as FlowNode);
  });
  nodes.push({ id: 'end', type: 'end' });
  return { code, name: `动作测试 ${code}`, form: testForm, nodes };
}

/** Publishes `chainFlow` of a fresh code with this prefix; answers the code. */
export async function publishChain(stack: TestStack, prefix: string, steps: ApprovalStep[]): Promise<string> {
  const code = uid(prefix);
  await publishFlow(stack.api, chainFlow(code, steps));
  return code;
}

/** The stack the approval-actions*.int.test.ts files run on: the test org and its extra approvers synced. */
export async function startActionStack(options?: TestStackOptions): Promise<TestStack> {
  const stack = await startTestStack(options);
  await syncActionUsers(stack.api);
  return stack;
}

export function definitionWith(code: string, nodes: FlowNode[]): FlowDefinition {
  return { code, name: `动作测试 ${code}`, form: testForm, nodes };
}

export const actionsPath = (instanceId: string) => `${instancePath(instanceId)}/actions`;

export type ActionBody = { type: string; actorId: string; actionId?: string } & Record<string, unknown>;

/** Sends an action (a fresh actionId unless the body has one). */
export function act(stack: TestStack, instanceId: string, body: ActionBody): Promise<SignedResponse<InstanceView & ErrorBody>> {
  return stack.api.request('POST', actionsPath(instanceId), { actionId: uid('act'), ...body });
}

export function actOk(stack: TestStack, instanceId: string, body: ActionBody): Promise<InstanceView> {
  return expectOk<InstanceView>(act(stack, instanceId, body));
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
}

export async function startInstance(
  stack: TestStack,
  flowCode: string,
  formValues: Record<string, unknown> = { amount: 100, title: '测试' },
): Promise<InstanceView> {
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode, uid('BK'), formValues)), 201);
  return waitForView(stack.api, started.instanceId, hasPendingTasks);
}

export function viewOf(stack: TestStack, instanceId: string): Promise<InstanceView> {
  return expectOk<InstanceView>(stack.api.request('GET', instancePath(instanceId)));
}

export function timelineOf(stack: TestStack, instanceId: string): Promise<TimelineView> {
  return expectOk<TimelineView>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`));
}

const UPDATE_EVENTS = ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED'];

/** History event types, by name ("EVENT_TYPE_…" — historyEventTypes gives the enum numbers as strings). */
export async function historyTypeNames(stack: TestStack, instanceId: string): Promise<string[]> {
  const names = proto.api.enums.v1.EventType as unknown as Record<number, string>;
  return (await historyEventTypes(stack.temporal, instanceId)).map((t) => names[Number(t)] ?? t);
}

export async function updateCounts(stack: TestStack, instanceId: string): Promise<{ accepted: number; completed: number }> {
  const types = await historyTypeNames(stack, instanceId);
  return {
    accepted: types.filter((t) => t === UPDATE_EVENTS[0]).length,
    completed: types.filter((t) => t === UPDATE_EVENTS[1]).length,
  };
}

/**
 * Sends an action that must be refused: answers `status` with `code`, and leaves no trace —
 * the workflow history and the instance view are exactly what they were.
 */
export async function expectRefused(stack: TestStack, instanceId: string, body: ActionBody, status: number, code: string): Promise<ErrorBody> {
  const historyBefore = await settledHistory(stack, instanceId);
  const viewBefore = await viewOf(stack, instanceId);
  const response = await act(stack, instanceId, body);
  const historyAfter = await historyTypeNames(stack, instanceId);
  if (response.status !== status || (response.body as Partial<ErrorBody>)?.error?.code !== code) {
    throw new Error(`expected ${status} ${code} for ${JSON.stringify(body)}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  expect(historyAfter.filter((t) => UPDATE_EVENTS.includes(t))).toEqual(historyBefore.filter((t) => UPDATE_EVENTS.includes(t)));
  expect(historyAfter).toEqual(historyBefore);
  expect(await viewOf(stack, instanceId)).toEqual(viewBefore);
  return response.body as ErrorBody;
}

/**
 * The history once the workflow waits on people: a workflow task completed, and after it only
 * that task's own commands (markers, upserts, update completions, timers) — no workflow task or
 * activity under way. The projection is written inside a workflow task, so the API can show a
 * new task a moment before that workflow task's events reach the history.
 */
async function settledHistory(stack: TestStack, instanceId: string, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const types = await historyTypeNames(stack, instanceId);
    const afterLastTask = types.slice(types.lastIndexOf('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') + 1);
    if (
      types.includes('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') &&
      !afterLastTask.some((t) => t.startsWith('EVENT_TYPE_WORKFLOW_TASK_') || t.startsWith('EVENT_TYPE_ACTIVITY_TASK_'))
    )
      return types;
    if (Date.now() > deadline) throw new Error(`workflow ${instanceId} did not settle; history ends with ${types.slice(-3).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The one task of `assigneeId` (on `nodeId`, with `status`, when given); throws if there is none or several. */
export function taskOf(view: InstanceView, assigneeId: string, filter: { nodeId?: string; status?: string } = {}): InstanceView['tasks'][number] {
  const found = view.tasks.filter(
    (t) =>
      t.assigneeId === assigneeId && (filter.nodeId === undefined || t.nodeId === filter.nodeId) && (filter.status === undefined || t.status === filter.status),
  );
  if (found.length !== 1) throw new Error(`expected one task of ${assigneeId} ${JSON.stringify(filter)}, found ${found.length}: ${JSON.stringify(view.tasks)}`);
  return found[0]!;
}

/** [nodeId, assigneeId, status] of every task, in task order: compact to compare. */
export const taskRows = (view: InstanceView) => view.tasks.map((t) => [t.nodeId, t.assigneeId, t.status]);

/**
 * Holds an ACCESS EXCLUSIVE lock on the users table while `during` runs, so approver lookups
 * (the resolveApprovers activity reads users) stay in flight until it returns. Nothing on the
 * action path of the API reads users for approve / withdraw / comment, so those go through.
 */
export async function whileApproverLookupsBlocked<T>(stack: TestStack, during: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const transaction = stack.database.sql.begin(async (sql) => {
    await sql`lock table users in access exclusive mode`;
    locked();
    await released;
  });
  await Promise.race([isLocked, transaction]);
  try {
    return await during();
  } finally {
    release();
    await transaction;
  }
}

/**
 * Polls the workflow itself (not the projection the API reads) until `predicate` holds: the
 * projection is written when the workflow is about to wait, so it lags while a lookup is in flight.
 */
export async function waitForWorkflowView(
  stack: TestStack,
  instanceId: string,
  predicate: (view: InstanceView) => boolean,
  timeoutMs = 10_000,
): Promise<InstanceView> {
  return pollUntil(
    `workflow ${instanceId} in the expected state`,
    () => stack.temporal.workflow.getHandle(instanceId).query(instanceViewQuery),
    predicate,
    timeoutMs,
  );
}

/** Polls until the instance's history holds `count` accepted updates. */
export async function waitForAcceptedUpdates(stack: TestStack, instanceId: string, count: number, timeoutMs = 10_000): Promise<void> {
  await pollUntil(
    `instance ${instanceId} with ${count} accepted updates`,
    () => updateCounts(stack, instanceId),
    ({ accepted }) => accepted >= count,
    timeoutMs,
  );
}
