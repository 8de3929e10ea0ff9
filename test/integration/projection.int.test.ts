import { signedHeaders } from '../../protocol/request-signature';
import { eq, sql } from 'drizzle-orm';
import { ensureEventPartitions } from '../../db/event-partitions';
import { isoTimestamp } from '../../db/keyset';
import { writeProjection } from '../../db/projection';
import { instanceEvents, instances } from '../../db/schema';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { line } from '../support/engine-driver';
import { actOk, startInstance, syncActionUsers } from '../support/action-fixtures';
import { expectOk, instancePath, oneApprovalFlow, pollUntil, publishFlow, startBody, uid } from '../support/fixtures';
import {
  eventOfRow,
  ProjectedDriver,
  projectedRows,
  waitForProjection,
  workflowSide,
  type ProjectedRows,
  type WorkflowSide,
} from '../support/projection-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The Postgres projection (instances, tasks, instance_events) written by the workflow's
 * `projectInstance` local activity, the reads built on it, and `writeProjection` itself.
 */

let stack: TestStack;
/** start → approve (u_a, u_b; any) → end */
let flowCode: string;

beforeAll(async () => {
  stack = await startTestStack();
  await syncActionUsers(stack.api);
  flowCode = uid('proj');
  await publishFlow(stack.api, oneApprovalFlow(flowCode, ['u_a', 'u_b']));
});
afterAll(() => stack?.stop());

const monthPartition = (at: string) => `instance_events_${at.slice(0, 4)}${at.slice(5, 7)}`;

/** Every projection row agrees with what the workflow answers. */
function expectRowsMatch(rows: ProjectedRows, { view, timeline }: WorkflowSide) {
  const { instance } = rows;
  expect(instance).toBeDefined();
  expect(instance!.view).toEqual(view);
  expect(instance).toMatchObject({
    instanceId: view.instanceId,
    flowCode: view.flowCode,
    flowVersion: view.flowVersion,
    businessKey: view.businessKey,
    status: view.status,
    initiatorId: view.initiatorId,
    sourceSystem: view.source?.system,
    sourceType: view.source?.type,
    sourceId: view.source?.id,
    currentNodeIds: view.currentNodeIds,
    lastEventSeq: Math.max(...timeline.map((e) => e.seq)),
  });
  expect(isoTimestamp(instance!.createdAt)).toBe(view.createdAt);
  expect(isoTimestamp(instance!.completedAt)).toBe(view.completedAt);

  const title = `${view.flowName} · ${view.businessKey} · 发起人`;
  expect(
    rows.tasks.map((t) => ({
      taskId: t.taskId,
      flowCode: t.flowCode,
      nodeId: t.nodeId,
      nodeName: t.nodeName,
      assigneeId: t.assigneeId,
      status: t.status,
      reason: t.reason,
      comment: t.comment,
      delegatedFrom: t.delegatedFrom,
      title: t.title,
      createdAt: isoTimestamp(t.createdAt),
      completedAt: isoTimestamp(t.completedAt),
    })),
  ).toEqual(
    [...view.tasks]
      .sort((a, b) => (a.taskId < b.taskId ? -1 : 1))
      .map((t) => ({
        taskId: t.taskId,
        flowCode: view.flowCode,
        nodeId: t.nodeId,
        nodeName: t.nodeName ?? null,
        assigneeId: t.assigneeId,
        status: t.status,
        reason: t.reason ?? null,
        comment: t.comment ?? null,
        delegatedFrom: t.delegatedFrom ?? null,
        title,
        createdAt: t.createdAt,
        completedAt: t.completedAt,
      })),
  );

  expect(rows.events.map(eventOfRow)).toEqual(timeline);
}

describe('the projection of a flow run', () => {
  it('start → approve → approved: the instance, task and event rows match the workflow view and timeline, running and closed', async () => {
    const started = await startInstance(stack, flowCode);
    const running = await waitForProjection(stack, started.instanceId);
    expect(running.side.view.status).toBe('running');
    expect(running.rows.tasks.map((t) => [t.assigneeId, t.status])).toEqual([
      ['u_a', 'pending'],
      ['u_b', 'pending'],
    ]);
    expectRowsMatch(running.rows, running.side);

    const answer = await actOk(stack, started.instanceId, { type: 'approve', actorId: 'u_a', comment: '同意' });
    expect(answer.status).toBe('approved');
    // the action answers once the projection is written: no waiting needed
    const rows = await projectedRows(stack.database.db, started.instanceId);
    const closed = await workflowSide(stack, started.instanceId);
    expect(closed.view.status).toBe('approved');
    expect(rows.instance?.status).toBe('approved');
    expect(rows.tasks.map((t) => [t.assigneeId, t.status, t.comment])).toEqual([
      ['u_a', 'approved', '同意'],
      ['u_b', 'cancelled', null],
    ]);
    expectRowsMatch(rows, closed);
    expect(rows.events.map((e) => e.type)).toEqual(expect.arrayContaining(['instance_started', 'task_created', 'approved', 'instance_completed']));
  });

  it('a transfer projects the closed task and the new one', async () => {
    const started = await startInstance(stack, flowCode);
    await actOk(stack, started.instanceId, { type: 'transfer', actorId: 'u_a', toUserId: 'u_c' });
    const { rows, side } = await waitForProjection(stack, started.instanceId);
    expect(rows.tasks.map((t) => [t.assigneeId, t.status])).toEqual(
      expect.arrayContaining([
        ['u_a', 'transferred'],
        ['u_b', 'pending'],
        ['u_c', 'pending'],
      ]),
    );
    expectRowsMatch(rows, side);
  });

  it('GET /instances/{id} answers the projected view, equal to the workflow query, for a running and for a closed instance', async () => {
    const started = await startInstance(stack, flowCode);
    await waitForProjection(stack, started.instanceId);
    const runningView = await expectOk<InstanceView>(stack.api.request('GET', instancePath(started.instanceId)));
    expect(runningView.status).toBe('running');
    expect(runningView).toEqual((await workflowSide(stack, started.instanceId)).view);

    await actOk(stack, started.instanceId, { type: 'reject', actorId: 'u_a', comment: '不行' });
    await actOk(stack, started.instanceId, { type: 'reject', actorId: 'u_b' });
    const closedView = await expectOk<InstanceView>(stack.api.request('GET', instancePath(started.instanceId)));
    expect(closedView.status).toBe('rejected');
    expect(closedView.completedAt).toEqual(expect.any(String));
    expect(closedView).toEqual((await workflowSide(stack, started.instanceId)).view);
  });

  it('GET /instances/{id} reads the projection row (not the workflow) once there is one', async () => {
    const started = await startInstance(stack, flowCode);
    await waitForProjection(stack, started.instanceId);
    const [row] = await stack.database.db.select().from(instances).where(eq(instances.instanceId, started.instanceId));
    const marked = { ...row!.view, businessKey: 'from-the-projection' };
    await stack.database.db.update(instances).set({ view: marked }).where(eq(instances.instanceId, started.instanceId));
    const view = await expectOk<InstanceView>(stack.api.request('GET', instancePath(started.instanceId)));
    expect(view.businessKey).toBe('from-the-projection');
  });

  it('without a projection row, GET view and timeline fall back to the workflow query', async () => {
    const started = await startInstance(stack, flowCode);
    await waitForProjection(stack, started.instanceId);
    await stack.database.db.delete(instances).where(eq(instances.instanceId, started.instanceId));
    const side = await workflowSide(stack, started.instanceId);
    expect(await expectOk<InstanceView>(stack.api.request('GET', instancePath(started.instanceId)))).toEqual(side.view);
    expect(await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(started.instanceId)}/timeline`))).toEqual({ events: side.timeline });
    // the next write puts the row back
    await actOk(stack, started.instanceId, { type: 'comment', actorId: 'u_a', comment: '看看' });
    const { rows, side: after } = await waitForProjection(stack, started.instanceId);
    expectRowsMatch(rows, after);
  });

  it('an unknown instance is 404 for view and timeline', async () => {
    const id = `approval:${flowCode}:no-such`;
    expect((await stack.api.request('GET', instancePath(id))).status).toBe(404);
    expect((await stack.api.request('GET', `${instancePath(id)}/timeline`)).status).toBe(404);
  });

  it('GET /instances/{id}/timeline equals the workflow timeline, in seq order', async () => {
    const started = await startInstance(stack, flowCode);
    await actOk(stack, started.instanceId, { type: 'comment', actorId: 'u_b', comment: '第一条' });
    await actOk(stack, started.instanceId, { type: 'comment', actorId: 'u_a', comment: '第二条' });
    await actOk(stack, started.instanceId, { type: 'approve', actorId: 'u_b' });
    const side = await workflowSide(stack, started.instanceId);
    const timeline = await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(started.instanceId)}/timeline`));
    expect(timeline).toEqual({ events: side.timeline });
    const seqs = timeline.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(timeline.events.filter((e) => e.type === 'comment').map((e) => [e.actorId, e.data.comment])).toEqual([
      ['u_b', '第一条'],
      ['u_a', '第二条'],
    ]);
    expect(timeline.events.at(-1)?.type).toBe('instance_completed');
  });

  it('events land in the monthly partition of their time, not the default one', async () => {
    const started = await startInstance(stack, flowCode);
    await actOk(stack, started.instanceId, { type: 'approve', actorId: 'u_a' });
    const rows = await stack.database.db
      .select({ partition: sql<string>`${instanceEvents}.tableoid::regclass::text`, at: instanceEvents.at })
      .from(instanceEvents)
      .where(eq(instanceEvents.instanceId, started.instanceId));
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      expect(row.partition).not.toBe('instance_events_default');
      expect(row.partition).toBe(monthPartition(isoTimestamp(row.at)));
    }
  });
});

describe('across continue-as-new', () => {
  /** A second stack whose instances continue as new after a few actions. */
  let small: TestStack;
  let code: string;
  beforeAll(async () => {
    small = await startTestStack({ historyLimit: 60 });
    await syncActionUsers(small.api);
    code = uid('proj_can');
    await publishFlow(small.api, oneApprovalFlow(code, ['u_a', 'u_b'], { mode: 'all' }));
  });
  afterAll(() => small?.stop());

  it('the projection keeps moving forward in the new run: revisions grow, every event once, rows match the workflow', async () => {
    const started = await startInstance(small, code);
    const handle = small.temporal.workflow.getHandle(started.instanceId);
    await actOk(small, started.instanceId, { type: 'approve', actorId: 'u_a' });
    const firstRunId = (await handle.describe()).runId;
    const before = await waitForProjection(small, started.instanceId);
    for (let i = 0; i < 40 && (await handle.describe()).runId === firstRunId; i++) {
      await actOk(small, started.instanceId, { type: 'comment', actorId: 'u_initiator', comment: `意见 ${i}` });
    }
    expect((await handle.describe()).runId).not.toBe(firstRunId);

    await actOk(small, started.instanceId, { type: 'comment', actorId: 'u_b', comment: '新一轮' });
    const approved = await actOk(small, started.instanceId, { type: 'approve', actorId: 'u_b' });
    expect(approved.status).toBe('approved');
    const { rows, side } = await waitForProjection(small, started.instanceId);
    expect(rows.instance!.revision).toBeGreaterThan(before.rows.instance!.revision);
    expect(rows.instance!.status).toBe('approved');
    expectRowsMatch(rows, side);
    const seqs = rows.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const timeline = await expectOk<TimelineView>(small.api.request('GET', `${instancePath(started.instanceId)}/timeline`));
    expect(timeline.events.filter((e) => e.type === 'comment').map((e) => e.data.comment)).toContain('新一轮');
    expect(timeline).toEqual({ events: side.timeline });
  });
});

describe('writeProjection: retried and late writes', () => {
  const newIds = () => {
    const businessKey = uid('BK');
    return { instanceId: `approval:proj_direct:${businessKey}`, businessKey };
  };
  const definition = () => ({ ...line(['a', ['u_a', 'u_b']], ['b', ['u_c']]), code: 'proj_direct', name: '直写流程' });
  const now = () => new Date().toISOString();

  it('the same write twice leaves identical rows and no duplicate event', async () => {
    const ids = newIds();
    const p = new ProjectedDriver(definition(), ids, { now: now() });
    const write = await p.project(stack.database.db);
    const once = await projectedRows(stack.database.db, ids.instanceId);
    expect(once.events).toHaveLength(write.events.length);
    expect(once.tasks).toHaveLength(2);

    await writeProjection(stack.database.db, write);
    await writeProjection(stack.database.db, write);
    expect(await projectedRows(stack.database.db, ids.instanceId)).toEqual(once);
  });

  it('a write with an older revision after a newer one keeps the newer instance and task rows; events stay one per seq, in order', async () => {
    const ids = newIds();
    const p = new ProjectedDriver(definition(), ids, { now: now() });
    const first = await p.project(stack.database.db);
    p.driver.after(1).approve('u_a');
    const second = await p.project(stack.database.db);
    p.driver.after(1).approve('u_b');
    p.driver.after(1).approve('u_c');
    const third = await p.project(stack.database.db);
    expect(third.view.status).toBe('approved');
    const latest = await projectedRows(stack.database.db, ids.instanceId);

    // late retries of the older writes, newest first and then oldest
    await writeProjection(stack.database.db, second);
    await writeProjection(stack.database.db, first);
    const after = await projectedRows(stack.database.db, ids.instanceId);
    expect(after).toEqual(latest);
    expect(after.instance).toMatchObject({ status: 'approved', revision: 3, currentNodeIds: [] });
    expect(after.instance!.view).toEqual(third.view);
    expect(after.tasks.map((t) => [t.assigneeId, t.status])).toEqual([
      ['u_a', 'approved'],
      ['u_b', 'approved'],
      ['u_c', 'approved'],
    ]);
    const seqs = after.events.map((e) => e.seq);
    expect(seqs).toEqual(p.driver.state.timeline.map((e) => e.seq));
    expect(after.events.map(eventOfRow)).toEqual(p.driver.state.timeline);
  });

  it('a newer write landing before an older one: the older one fills in only what is missing', async () => {
    const ids = newIds();
    const p = new ProjectedDriver(definition(), ids, { now: now() });
    const first = p.next();
    p.driver.after(1).approve('u_a');
    const second = p.next();
    expect(second.changedTaskIds).toHaveLength(1);

    await writeProjection(stack.database.db, second);
    await writeProjection(stack.database.db, first);
    const rows = await projectedRows(stack.database.db, ids.instanceId);
    expect(rows.instance).toMatchObject({ revision: 2 });
    expect(rows.instance!.view).toEqual(second.view);
    expect(rows.tasks.map((t) => [t.assigneeId, t.status, t.revision])).toEqual([
      ['u_a', 'approved', 2],
      ['u_b', 'pending', 1],
    ]);
    expect(rows.events.map(eventOfRow)).toEqual(p.driver.state.timeline);
    expect(rows.instance!.lastEventSeq).toBe(p.driver.state.timeline.at(-1)!.seq);
  });

  it('a rerun of the revision already held (its first run’s completion was lost) replaces that run’s rows, one event per seq', async () => {
    const ids = newIds();
    const p = new ProjectedDriver(definition(), ids, { now: now() });
    await p.project(stack.database.db);
    p.driver.after(1).approve('u_a');
    const lost = await p.project(stack.database.db);
    const later = (at: string) => new Date(Date.parse(at) + 5_000).toISOString();
    const rerun = {
      ...lost,
      events: lost.events.map((e) => ({ ...e, at: later(e.at) })),
      view: { ...lost.view, tasks: lost.view.tasks.map((t) => (t.completedAt ? { ...t, completedAt: later(t.completedAt) } : t)) },
    };
    await writeProjection(stack.database.db, rerun);
    const rows = await projectedRows(stack.database.db, ids.instanceId);
    const seqs = rows.events.map((e) => e.seq);
    expect(seqs).toEqual(p.driver.state.timeline.map((e) => e.seq));
    const rerunSeqs = new Set(rerun.events.map((e) => e.seq));
    expect(rows.events.filter((e) => rerunSeqs.has(e.seq)).map(eventOfRow)).toEqual(rerun.events);
    const approved = rerun.view.tasks.find((t) => t.assigneeId === 'u_a')!;
    expect(new Date(rows.tasks.find((t) => t.assigneeId === 'u_a')!.completedAt!).toISOString()).toBe(approved.completedAt);
    expect(rows.instance!.view).toEqual(rerun.view);
  });

  it('an event outside every monthly partition lands in the default partition', async () => {
    const ids = newIds();
    const p = new ProjectedDriver(definition(), ids, { now: '2001-01-15T08:00:00.000Z' });
    await p.project(stack.database.db);
    const rows = await stack.database.db
      .select({ partition: sql<string>`${instanceEvents}.tableoid::regclass::text` })
      .from(instanceEvents)
      .where(eq(instanceEvents.instanceId, ids.instanceId));
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.partition))).toEqual(new Set(['instance_events_default']));
  });
});

describe('event partitions', () => {
  /** [name, from, to] of every monthly partition, bounds printed in UTC. */
  async function monthlyPartitions(run: (query: string) => Promise<Array<Record<string, unknown>>>) {
    await run(`set local time zone 'UTC'`);
    const rows = await run(
      `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
         from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'instance_events'::regclass and c.relname <> 'instance_events_default'
        order by c.relname`,
    );
    return rows.map((r) => [String(r.name), String(r.bound)]);
  }

  /** The partition a UTC calendar month should have: [name, bound]. */
  function expectedPartition(year: number, month: number): [string, string] {
    const from = new Date(Date.UTC(year, month, 1));
    const to = new Date(Date.UTC(year, month + 1, 1));
    const pg = (d: Date) => `${d.toISOString().slice(0, 10)} 00:00:00+00`;
    return [monthPartition(from.toISOString()), `FOR VALUES FROM ('${pg(from)}') TO ('${pg(to)}')`];
  }

  /** Runs `body` in a transaction that is always rolled back (partition DDL is transactional). */
  async function inRolledBackTransaction<T>(body: (run: (query: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
    const rollback = new Error('rollback');
    let result: T | undefined;
    try {
      await stack.database.sql.begin(async (tx) => {
        result = await body(async (query) => [...(await tx.unsafe(query))]);
        throw rollback;
      });
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return result as T;
  }

  it('ensureEventPartitions is idempotent: a second call creates nothing', async () => {
    await ensureEventPartitions(stack.database.db);
    expect(await ensureEventPartitions(stack.database.db)).toBe(0);
    const created = await ensureEventPartitions(stack.database.db, 5);
    expect(created).toBe(2);
    expect(await ensureEventPartitions(stack.database.db, 5)).toBe(0);
    expect(await ensureEventPartitions(stack.database.db)).toBe(0);
  });

  it('there is one partition per UTC calendar month from last month on, with no gap', async () => {
    const partitions = await inRolledBackTransaction((run) => monthlyPartitions(run));
    const today = new Date();
    const expected = Array.from({ length: 4 }, (_, i) => expectedPartition(today.getUTCFullYear(), today.getUTCMonth() - 1 + i));
    expect(partitions).toEqual(expect.arrayContaining(expected));
  });

  // Regression: ensure_instance_event_partitions once did its month arithmetic on timestamptz,
  // i.e. in the session time zone, so under America/New_York the partitions were not calendar
  // months (bounds on the 28th–31st at 00:00/01:00 UTC) and under Europe/Berlin it failed with
  // "partition would overlap" (and so did migrateDatabase at start-up).
  it.each(['America/New_York', 'Europe/Berlin', 'Asia/Shanghai'])('partitions are whole UTC months under a session in %s', async (zone) => {
    const today = new Date();
    const outcome = await inRolledBackTransaction(async (run) => {
      await run(`set local time zone '${zone}'`);
      try {
        await run('savepoint ensure');
        await run('select ensure_instance_event_partitions(12)');
      } catch (err) {
        await run('rollback to savepoint ensure');
        return { error: (err as Error).message, partitions: await monthlyPartitions(run) };
      }
      return { error: undefined, partitions: await monthlyPartitions(run) };
    });
    const expected = Array.from({ length: 14 }, (_, i) => expectedPartition(today.getUTCFullYear(), today.getUTCMonth() - 1 + i));
    expect(outcome.error).toBeUndefined();
    expect(outcome.partitions).toEqual(expect.arrayContaining(expected));
    expect(outcome.partitions).toHaveLength(expected.length);
  });
});

// PostgreSQL stores no U+0000 (jsonb: "unsupported Unicode escape sequence", text: invalid byte
// 0x00). Accepted, it would fail every projection write and wedge the instance; it is refused at the edge.
describe('input Postgres cannot store', () => {
  async function signedPost(path: string, payload: unknown) {
    const app = await stack.appWith(['start', 'act_for']);
    const body = JSON.stringify(payload);
    const headers = { ...signedHeaders({ appKey: app.appKey, secret: app.secret }, { method: 'POST', path, body }), 'Content-Type': 'application/json' };
    const response = await fetch(stack.baseUrl + path, { method: 'POST', headers, body, signal: AbortSignal.timeout(6_000) });
    return { status: response.status, body: (await response.json()) as { error: { code: string; details?: Array<{ field: string }> } } };
  }

  it('a comment holding U+0000 is refused with 400 naming it, and the instance goes on', async () => {
    const started = await startInstance(stack, flowCode);
    try {
      const refused = await signedPost(`${instancePath(started.instanceId)}/actions`, {
        type: 'comment',
        actorId: 'u_a',
        actionId: uid('act'),
        comment: 'a\u0000b',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details?.map((d) => d.field)).toEqual(['comment']);
      const approved = await actOk(stack, started.instanceId, { type: 'approve', actorId: 'u_b' });
      expect(approved.status).toBe('approved');
      await pollUntil(
        'approved projection',
        () => projectedRows(stack.database.db, started.instanceId),
        (rows) => rows.instance?.status === 'approved',
        10_000,
      );
    } finally {
      // never leave a wedged workflow behind (its local activity would retry forever and hold up the worker's shutdown)
      const view = await workflowSide(stack, started.instanceId).catch(() => undefined);
      if (view?.view.status === 'running') await stack.temporal.workflow.getHandle(started.instanceId).terminate('test cleanup');
    }
  }, 30_000);

  it('a start whose form holds U+0000 is refused with 400 naming the field, and starts nothing', async () => {
    const businessKey = uid('BK');
    const refused = await signedPost('/api/v1/instances', { ...startBody(flowCode, businessKey), form: { amount: 1, title: 'x\u0000y' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details?.map((d) => d.field)).toEqual(['form.title']);
    const view = await stack.api.request('GET', instancePath(`approval:${flowCode}:${businessKey}`));
    expect(view.status).toBe(404);
  });

  it('a query or path holding U+0000 is refused with 400', async () => {
    const query = await stack.api.request<{ error: { details?: Array<{ field: string }> } }>('GET', '/api/v1/tasks?assignee=a%00b');
    expect(query.status).toBe(400);
    expect(query.body.error.details?.map((d) => d.field)).toEqual(['query.assignee']);
    const path = await stack.api.request('GET', '/api/v1/instances/approval%3Ax%3Aa%00b');
    expect(path.status).toBe(400);
  });
});
