import { and, eq } from 'drizzle-orm';
import { instanceEvents, instances, tasks } from '../../db/schema';
import type { InstanceView } from '../../engine/instance-view';
import { line } from '../support/engine-driver';
import type { Drift, DriftReport } from '../../ops/drift-check';
import { APPROVAL_WORKFLOW_TYPE } from '../../workflows/messages';
import { actOk, startInstance, syncActionUsers, taskOf } from '../support/action-fixtures';
import { expectOk, oneApprovalFlow, pollUntil, publishFlow, uid } from '../support/fixtures';
import { ProjectedDriver, waitForProjection } from '../support/projection-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * `GET /api/v1/admin/drift`: the projection compared with the workflows of every open instance
 * (of this deployment's task queue), each difference named by kind, instance and task.
 */

let stack: TestStack;
/** start → approve (u_a, u_b; any) → end */
let flowCode: string;

beforeAll(async () => {
  stack = await startTestStack();
  await syncActionUsers(stack.api);
  flowCode = uid('drift');
  await publishFlow(stack.api, oneApprovalFlow(flowCode, ['u_a', 'u_b']));
});
afterAll(() => stack?.stop());

const drift = () => expectOk<DriftReport>(stack.api.request('GET', '/api/v1/admin/drift'));

/** This task queue's running approval workflows, as Temporal's visibility lists them. */
async function listedRunning(): Promise<Set<string>> {
  const ids = new Set<string>();
  const query = `WorkflowType = '${APPROVAL_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${stack.taskQueue}'`;
  for await (const execution of stack.temporal.workflow.list({ query })) ids.add(execution.workflowId);
  return ids;
}

/** Waits until visibility lists exactly these instances as running (it lags a start or a close a little). */
function waitForListed(instanceIds: string[]): Promise<Set<string>> {
  const wanted = [...instanceIds].sort().join(',');
  return pollUntil(`visibility lists ${wanted}`, listedRunning, (ids) => [...ids].sort().join(',') === wanted, 10_000);
}

const byKind = (differences: Drift[]) =>
  [...differences].sort((a, b) => (a.instanceId + a.kind + (a.taskId ?? '') < b.instanceId + b.kind + (b.taskId ?? '') ? -1 : 1));

describe('drift check', () => {
  let a: InstanceView;
  let b: InstanceView;
  let c: InstanceView;

  it('with running instances and a clean projection: no differences', async () => {
    a = await startInstance(stack, flowCode, { amount: 100, title: '甲' });
    b = await startInstance(stack, flowCode, { amount: 200, title: '乙' });
    c = await startInstance(stack, flowCode, { amount: 300, title: '丙' });
    for (const view of [a, b, c]) await waitForProjection(stack, view.instanceId);
    await waitForListed([a.instanceId, b.instanceId, c.instanceId]);

    const report = await drift();
    expect(report).toEqual({ checkedAt: expect.any(String), instancesChecked: 3, differences: [] });
    expect(Date.parse(report.checkedAt)).not.toBeNaN();
  });

  it('reports each difference injected in Postgres with its kind, instance and task', async () => {
    const db = stack.database.db;
    // a: a task's status changed behind the workflow's back, and one of its events lost
    const taskA = taskOf(a, 'u_a');
    await db
      .update(tasks)
      .set({ status: 'approved' })
      .where(and(eq(tasks.instanceId, a.instanceId), eq(tasks.taskId, taskA.taskId)));
    const lostSeq = 2;
    const deleted = await db
      .delete(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, a.instanceId), eq(instanceEvents.seq, lostSeq)))
      .returning();
    expect(deleted).toHaveLength(1);
    // b: its instance row gone
    await db.delete(instances).where(eq(instances.instanceId, b.instanceId));
    // c: an extra pending task the workflow does not know
    const [existing] = await db.select().from(tasks).where(eq(tasks.instanceId, c.instanceId)).limit(1);
    await db.insert(tasks).values({ ...existing!, taskId: 'approve.999', assigneeId: 'u_ghost', status: 'pending', revision: 1 });

    const report = await drift();
    expect(report.instancesChecked).toBe(3);
    expect(byKind(report.differences)).toEqual(
      byKind([
        { instanceId: a.instanceId, kind: 'task_field', taskId: taskA.taskId, field: 'status', projection: 'approved', workflow: 'pending' },
        { instanceId: a.instanceId, kind: 'missing_events', field: 'seq', workflow: [lostSeq] },
        { instanceId: b.instanceId, kind: 'missing_instance', workflow: { status: 'running' } },
        { instanceId: c.instanceId, kind: 'stale_open_task', taskId: 'approve.999', projection: { assigneeId: 'u_ghost', status: 'pending' } },
      ]),
    );
    // sorted by instance
    const order = report.differences.map((d) => d.instanceId);
    expect(order).toEqual([...order].sort());
  });

  it('an instance field that differs (the row says approved while the workflow runs) is found through Temporal visibility', async () => {
    await stack.database.db.update(instances).set({ status: 'approved', currentNodeIds: [] }).where(eq(instances.instanceId, c.instanceId));
    const report = await drift();
    expect(report.differences.filter((d) => d.instanceId === c.instanceId && d.kind === 'instance_field')).toEqual([
      { instanceId: c.instanceId, kind: 'instance_field', field: 'status', projection: 'approved', workflow: 'running' },
      { instanceId: c.instanceId, kind: 'instance_field', field: 'currentNodeIds', projection: [], workflow: ['approve'] },
    ]);
  });

  it('a missing task row is reported', async () => {
    await stack.database.db.delete(tasks).where(and(eq(tasks.instanceId, a.instanceId), eq(tasks.taskId, taskOf(a, 'u_b').taskId)));
    const report = await drift();
    expect(report.differences).toContainEqual({
      instanceId: a.instanceId,
      kind: 'missing_task',
      taskId: taskOf(a, 'u_b').taskId,
      workflow: { assigneeId: 'u_b', status: 'pending' },
    });
  });

  it('a running projection row whose workflow does not exist is workflow_missing', async () => {
    const businessKey = uid('GHOST');
    const instanceId = `approval:${flowCode}:${businessKey}`;
    await new ProjectedDriver({ ...line(['approve', ['u_a']]), code: flowCode }, { instanceId, businessKey }, { now: new Date().toISOString() }).project(
      stack.database.db,
    );
    const report = await drift();
    expect(report.differences).toContainEqual({ instanceId, kind: 'workflow_missing' });
    expect(report.instancesChecked).toBe(4);
    await stack.database.db.delete(instances).where(eq(instances.instanceId, instanceId));
  });

  it('the next projection write of an instance repairs its row; closed instances are no longer checked', async () => {
    // b's next action rewrites its instance row
    await actOk(stack, b.instanceId, { type: 'comment', actorId: 'u_a', comment: '补写' });
    await waitForProjection(stack, b.instanceId);
    // a and c close
    await actOk(stack, a.instanceId, { type: 'approve', actorId: 'u_b' });
    await actOk(stack, c.instanceId, { type: 'approve', actorId: 'u_a' });
    await waitForListed([b.instanceId]);

    const report = await drift();
    expect(report).toMatchObject({ instancesChecked: 1, differences: [] });
  });

  // jsonb stores object keys in its own order (shorter keys first): {amount, title} comes back as {title, amount}.
  it('a form whose keys Postgres stores in another order is no difference', async () => {
    const view = await startInstance(stack, flowCode, { amount: 100, title: '测试' });
    await waitForProjection(stack, view.instanceId);
    try {
      const report = await drift();
      expect(report.differences.filter((d) => d.instanceId === view.instanceId)).toEqual([]);
    } finally {
      await actOk(stack, view.instanceId, { type: 'withdraw', actorId: 'u_initiator' });
    }
  });

  it('needs the admin permission: 403 for an app without it, 200 with it', async () => {
    const withoutAdmin = await stack.appWith(['start', 'act_for', 'sync']);
    const refused = await withoutAdmin.request<{ error: { code: string } }>('GET', '/api/v1/admin/drift');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('PERMISSION_DENIED');

    const adminOnly = await stack.appWith(['admin']);
    const allowed = await adminOnly.request<DriftReport>('GET', '/api/v1/admin/drift');
    expect(allowed.status).toBe(200);
    expect(allowed.body.differences).toEqual(expect.any(Array));

    const unsigned = await fetch(`${stack.baseUrl}/api/v1/admin/drift`);
    expect(unsigned.status).toBe(401);
  });
});
