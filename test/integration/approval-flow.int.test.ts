import { temporal as proto } from '@temporalio/proto';
import type { InstanceView } from '../../engine/instance-view';
import { searchAttributes } from '../../temporal-config';
import {
  expectOk,
  hasPendingTasks,
  instancePath,
  oneApprovalFlow,
  publishFlow,
  seedOrgAndFlow,
  startBody,
  uid,
  waitForSearchAttributes,
  waitForView,
} from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

const EventType = proto.api.enums.v1.EventType;

let stack: TestStack;
let flowCode: string;

beforeAll(async () => {
  stack = await startTestStack();
  flowCode = await seedOrgAndFlow(stack.api, 'po', ['u_a', 'u_b']);
});
afterAll(() => stack?.stop());

async function startRunning(form?: Record<string, unknown>): Promise<InstanceView> {
  const started = await expectOk<{ instanceId: string; flowVersion: number; status: string }>(
    stack.api.request('POST', '/api/v1/instances', startBody(flowCode, uid('BK'), form)),
    201,
  );
  return waitForView(stack.api, started.instanceId, hasPendingTasks);
}

async function history(instanceId: string) {
  const fetched = await stack.temporal.workflow.getHandle(instanceId).fetchHistory();
  return fetched.events ?? [];
}

/** The history once the workflow has nothing left to do (its last activity answered, its last task completed): two reads 300 ms apart agree. */
async function settledHistory(instanceId: string) {
  let previous = await history(instanceId);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = await history(instanceId);
    if (current.length === previous.length) return current;
    previous = current;
  }
}

const countOf = (events: Awaited<ReturnType<typeof history>>, type: number) => events.filter((e) => e.eventType === type).length;

describe('start → approval (any) → end over HTTP', () => {
  it('starts an instance whose id is approval:{flowCode}:{businessKey} and answers 201 with the SPEC shape', async () => {
    const body = startBody(flowCode);
    const response = await stack.api.request('POST', '/api/v1/instances', body);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ instanceId: `approval:${flowCode}:${body.businessKey}`, flowVersion: 1, status: 'running' });

    const view = await waitForView(stack.api, `approval:${flowCode}:${body.businessKey}`, hasPendingTasks);
    expect(view).toMatchObject({
      instanceId: `approval:${flowCode}:${body.businessKey}`,
      flowCode,
      flowVersion: 1,
      businessKey: body.businessKey,
      status: 'running',
      initiatorId: 'u_initiator',
      form: body.form,
      currentNodeIds: ['approve'],
    });
    expect(view.tasks.map((t) => [t.assigneeId, t.status, t.nodeId])).toEqual([
      ['u_a', 'pending', 'approve'],
      ['u_b', 'pending', 'approve'],
    ]);
    for (const task of view.tasks) expect(Date.parse(task.createdAt)).not.toBeNaN();
  });

  it('sets search attributes at start and upserts them as the status changes', async () => {
    const view = await startRunning();
    const handle = stack.temporal.workflow.getHandle(view.instanceId);
    const running = await waitForSearchAttributes(stack.temporal, view.instanceId, (a) => a.get(searchAttributes.assignees) !== undefined);
    expect(running.get(searchAttributes.status)).toBe('running');
    expect(running.get(searchAttributes.flowCode)).toBe(flowCode);
    expect(running.get(searchAttributes.businessKey)).toBe(view.businessKey);
    expect(running.get(searchAttributes.initiator)).toBe('u_initiator');
    expect(running.get(searchAttributes.sourceSystem)).toBe('erp');
    expect(running.get(searchAttributes.assignees)).toEqual(['u_a', 'u_b']);

    await expectOk(stack.api.request('POST', `${instancePath(view.instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_b' }));
    await handle.result();
    const closed = (await handle.describe()).typedSearchAttributes;
    expect(closed.get(searchAttributes.status)).toBe('approved');
    // Upserting an empty KeywordList removes the attribute: nobody is assigned any more.
    expect(closed.get(searchAttributes.assignees) ?? []).toEqual([]);

    // Visibility (the list) lags the workflow by a moment: ask until it has caught up.
    const query = `ApprovalStatus = 'approved' AND ApprovalBusinessKey = '${view.businessKey}'`;
    let listed: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      listed = [];
      for await (const wf of stack.temporal.workflow.list({ query })) listed.push(wf.workflowId);
      if (listed.length > 0) break;
    }
    expect(listed).toEqual([view.instanceId]);
  });

  it('approve by an assignee completes the node, cancels the other task and approves the instance', async () => {
    const view = await startRunning();
    const taskOfA = view.tasks.find((t) => t.assigneeId === 'u_a')!;
    const answer = await expectOk<InstanceView>(
      stack.api.request('POST', `${instancePath(view.instanceId)}/actions`, {
        type: 'approve',
        actionId: uid('act'),
        actorId: 'u_a',
        taskId: taskOfA.taskId,
        comment: '同意',
      }),
    );
    expect(answer.status).toBe('approved');
    expect(answer.currentNodeIds).toEqual([]);
    expect(answer.completedAt).toBeDefined();
    expect(answer.tasks.map((t) => [t.assigneeId, t.status])).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'cancelled'],
    ]);
    expect(answer.tasks[0]!.comment).toBe('同意');
    const after = await expectOk<InstanceView>(stack.api.request('GET', instancePath(view.instanceId)));
    expect(after).toEqual(answer);
  });

  it('mode any: one reject leaves the node open; when every assignee rejected, the instance is rejected', async () => {
    const view = await startRunning();
    const path = `${instancePath(view.instanceId)}/actions`;
    const first = await expectOk<InstanceView>(stack.api.request('POST', path, { type: 'reject', actionId: uid('act'), actorId: 'u_a', comment: '预算不足' }));
    expect(first.status).toBe('running');
    expect(first.tasks.map((t) => t.status)).toEqual(['rejected', 'pending']);
    const assignees = (await waitForSearchAttributes(stack.temporal, view.instanceId, (a) => a.get(searchAttributes.assignees)?.length === 1)).get(
      searchAttributes.assignees,
    );
    expect(assignees).toEqual(['u_b']);
    const second = await expectOk<InstanceView>(stack.api.request('POST', path, { type: 'reject', actionId: uid('act'), actorId: 'u_b' }));
    expect(second.status).toBe('rejected');
    expect(second.tasks.map((t) => t.status)).toEqual(['rejected', 'rejected']);
  });

  it('a repeated actionId returns the first answer and does nothing again', async () => {
    const view = await startRunning();
    const path = `${instancePath(view.instanceId)}/actions`;
    const action = { type: 'reject', actionId: uid('act'), actorId: 'u_a' };
    const first = await expectOk<InstanceView>(stack.api.request('POST', path, action));
    const again = await expectOk<InstanceView>(stack.api.request('POST', path, action));
    expect(again).toEqual(first);
    expect(again.tasks.map((t) => t.status)).toEqual(['rejected', 'pending']);
    expect(countOf(await history(view.instanceId), EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).toBe(1);
  });

  it('a repeated actionId after the instance completed still returns the first answer', async () => {
    const view = await startRunning();
    const path = `${instancePath(view.instanceId)}/actions`;
    const action = { type: 'approve', actionId: uid('act'), actorId: 'u_a' };
    const first = await expectOk<InstanceView>(stack.api.request('POST', path, action));
    await stack.temporal.workflow.getHandle(view.instanceId).result();
    const again = await stack.api.request<InstanceView>('POST', path, action);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first);
  });

  it('refuses a non-assignee with 403 and leaves nothing in history', async () => {
    const view = await startRunning();
    const before = await settledHistory(view.instanceId);
    const response = await stack.api.request('POST', `${instancePath(view.instanceId)}/actions`, {
      type: 'approve',
      actionId: uid('act'),
      actorId: 'u_outsider',
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'NOT_ASSIGNEE' } });
    const after = await history(view.instanceId);
    expect(after.length).toBe(before.length);
    expect(countOf(after, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).toBe(0);
    const unchanged = await expectOk<InstanceView>(stack.api.request('GET', instancePath(view.instanceId)));
    expect(unchanged.tasks.map((t) => t.status)).toEqual(['pending', 'pending']);
  });

  it('refuses an action on a task that is no longer pending with 409, and on an unknown task with 404', async () => {
    const view = await startRunning();
    const path = `${instancePath(view.instanceId)}/actions`;
    const taskOfA = view.tasks.find((t) => t.assigneeId === 'u_a')!;
    await expectOk(stack.api.request('POST', path, { type: 'reject', actionId: uid('act'), actorId: 'u_a', taskId: taskOfA.taskId }));
    const again = await stack.api.request('POST', path, { type: 'approve', actionId: uid('act'), actorId: 'u_a', taskId: taskOfA.taskId });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'TASK_NOT_PENDING' } });
    const unknown = await stack.api.request('POST', path, { type: 'approve', actionId: uid('act'), actorId: 'u_b', taskId: 'approve.999' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
  });

  it('answers 409 INSTANCE_NOT_RUNNING to a new action on a completed instance', async () => {
    const view = await startRunning();
    const path = `${instancePath(view.instanceId)}/actions`;
    await expectOk(stack.api.request('POST', path, { type: 'approve', actionId: uid('act'), actorId: 'u_a' }));
    await stack.temporal.workflow.getHandle(view.instanceId).result();
    const late = await stack.api.request('POST', path, { type: 'approve', actionId: uid('act'), actorId: 'u_b' });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: { code: 'INSTANCE_NOT_RUNNING' } });
  });

  it('answers 404 for an unknown instance, on read and on action', async () => {
    const missing = instancePath(`approval:${flowCode}:nope`);
    expect((await stack.api.request('GET', missing)).status).toBe(404);
    const acted = await stack.api.request('POST', `${missing}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_a' });
    expect(acted.status).toBe(404);
    expect(acted.body).toMatchObject({ error: { code: 'INSTANCE_NOT_FOUND' } });
  });
});

describe('idempotent start', () => {
  it('the same flowCode + businessKey + payload answers 200 with the same instance; a different payload 409', async () => {
    const body = startBody(flowCode);
    const first = await stack.api.request('POST', '/api/v1/instances', body);
    expect(first.status).toBe(201);
    const again = await stack.api.request('POST', '/api/v1/instances', { ...body, form: { ...body.form } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const conflicting = await stack.api.request('POST', '/api/v1/instances', { ...body, form: { amount: 999 } });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body).toMatchObject({ error: { code: 'BUSINESS_KEY_CONFLICT' } });
  });

  it('a repeated start after the instance completed answers 200 with its final status', async () => {
    const body = startBody(flowCode);
    const { instanceId } = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', body), 201);
    await waitForView(stack.api, instanceId, hasPendingTasks);
    await expectOk(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_a' }));
    await stack.temporal.workflow.getHandle(instanceId).result();
    const again = await stack.api.request('POST', '/api/v1/instances', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ instanceId, flowVersion: 1, status: 'approved' });
  });
});

describe('approver resolution and onEmpty', () => {
  it('skips inactive or unknown users; with nobody left, onEmpty reject rejects and auto_approve approves', async () => {
    const rejectCode = uid('empty_reject');
    await publishFlow(stack.api, oneApprovalFlow(rejectCode, ['u_ghost'], { onEmpty: 'reject' } as never));
    const approveCode = uid('empty_approve');
    await publishFlow(stack.api, oneApprovalFlow(approveCode, ['u_ghost'], { onEmpty: 'auto_approve' } as never));

    const rejected = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(rejectCode)), 201);
    const rejectedView = await waitForView(stack.api, rejected.instanceId, (v) => v.status !== 'running');
    expect(rejectedView.status).toBe('rejected');
    expect(rejectedView.automaticOutcomes).toEqual([{ nodeId: 'approve', outcome: 'rejected', reason: 'no_approver' }]);

    const approved = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(approveCode)), 201);
    const approvedView = await waitForView(stack.api, approved.instanceId, (v) => v.status !== 'running');
    expect(approvedView.status).toBe('approved');
    expect(approvedView.tasks).toEqual([]);
  });
});

describe('versioning', () => {
  it('a running instance keeps the version it started with; new instances get the newly published one', async () => {
    const code = uid('versioned');
    expect(await publishFlow(stack.api, oneApprovalFlow(code, ['u_a']))).toBe(1);
    const v1 = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(code)), 201);
    await waitForView(stack.api, v1.instanceId, hasPendingTasks);

    expect(await publishFlow(stack.api, oneApprovalFlow(code, ['u_b']))).toBe(2);
    const v2 = await expectOk<{ instanceId: string; flowVersion: number }>(stack.api.request('POST', '/api/v1/instances', startBody(code)), 201);
    expect(v2.flowVersion).toBe(2);
    const v2View = await waitForView(stack.api, v2.instanceId, hasPendingTasks);
    expect(v2View.tasks.map((t) => t.assigneeId)).toEqual(['u_b']);

    const v1View = await expectOk<InstanceView>(stack.api.request('GET', instancePath(v1.instanceId)));
    expect(v1View.flowVersion).toBe(1);
    expect(v1View.tasks.map((t) => t.assigneeId)).toEqual(['u_a']);
    const refused = await stack.api.request('POST', `${instancePath(v1.instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_b' });
    expect(refused.status).toBe(403);
    const done = await expectOk<InstanceView>(
      stack.api.request('POST', `${instancePath(v1.instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_a' }),
    );
    expect(done.status).toBe('approved');
  });
});
