import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ProjectionWrite } from '../engine/projection';
import type { Db, Tx } from './client';
import { instanceEvents, instances, tasks, users } from './schema';
import { fromExcluded } from './upsert';

/**
 * Writes one projection of an instance in a transaction. Safe to repeat and to arrive late: the
 * instance row and task rows only move forward (a write older than the row's `revision` leaves it
 * as it is, and only fills in events and tasks that are missing). A write of the revision already
 * held replaces it, events included (one row per seq): that is a workflow task run again after its
 * first run's completion was lost (a worker or the Temporal server died), whose local activity
 * had already written — the second run is the one in the history, with its own times.
 */
export async function writeProjection(db: Db, write: ProjectionWrite): Promise<void> {
  const { view } = write;
  const lastEventSeq = write.events.reduce((max, e) => Math.max(max, e.seq), -1);
  await db.transaction(async (tx) => {
    // The lock orders concurrent writes of one instance; what it holds decides how events go in.
    const [held] = await tx
      .select({ revision: instances.revision, lastEventSeq: instances.lastEventSeq })
      .from(instances)
      .where(eq(instances.instanceId, view.instanceId))
      .for('update');
    // The three writes below depend on nothing but `held`: sent together, postgres.js puts them on
    // the wire in one write and PostgreSQL runs them in this order.
    await Promise.all([upsertInstance(tx, write, lastEventSeq), writeEvents(tx, write, held), upsertTasks(tx, write)]);
  });
}

function upsertInstance(tx: Tx, write: ProjectionWrite, lastEventSeq: number) {
  const { view, revision } = write;
  return tx
    .insert(instances)
    .values({
      instanceId: view.instanceId,
      flowCode: view.flowCode,
      flowVersion: view.flowVersion,
      businessKey: view.businessKey,
      status: view.status,
      initiatorId: view.initiatorId,
      appKey: write.appKey ?? null,
      sourceSystem: view.source?.system ?? null,
      sourceType: view.source?.type ?? null,
      sourceId: view.source?.id ?? null,
      currentNodeIds: view.currentNodeIds,
      view,
      lastEventSeq,
      revision,
      createdAt: view.createdAt,
      completedAt: view.completedAt ?? null,
    })
    .onConflictDoUpdate({
      target: instances.instanceId,
      set: {
        ...fromExcluded(instances, ['status', 'currentNodeIds', 'view', 'revision', 'completedAt']),
        appKey: sql`coalesce(excluded.app_key, ${instances.appKey})`,
        lastEventSeq: sql`greatest(${instances.lastEventSeq}, excluded.last_event_seq)`,
        // A rerun of the same revision is not a newer projection.
        projectedAt: sql`case when ${instances.revision} < excluded.revision then now() else ${instances.projectedAt} end`,
      },
      setWhere: sql`${instances.revision} <= excluded.revision`,
    });
}

/** The write's timeline events; where they overlap what is held, a newer or equal revision replaces them, an older one only fills gaps. */
async function writeEvents(tx: Tx, write: ProjectionWrite, held: { revision: number; lastEventSeq: number } | undefined): Promise<void> {
  const { view, revision } = write;
  let events = write.events;
  const overlaps = held !== undefined && events.some((e) => e.seq <= held.lastEventSeq);
  if (overlaps) {
    const seqs = events.map((e) => e.seq);
    const sameSeq = and(eq(instanceEvents.instanceId, view.instanceId), inArray(instanceEvents.seq, seqs));
    // Events are keyed by (instance, seq, at) for the partitions: a rerun's event of the same seq has another `at`.
    if (revision >= held.revision) await tx.delete(instanceEvents).where(sameSeq);
    else {
      const present = new Set((await tx.select({ seq: instanceEvents.seq }).from(instanceEvents).where(sameSeq)).map((row) => row.seq));
      events = events.filter((e) => !present.has(e.seq));
    }
  }
  if (events.length === 0) return;
  await tx
    .insert(instanceEvents)
    .values(events.map((event) => ({ ...event, instanceId: view.instanceId })))
    .onConflictDoNothing();
}

async function upsertTasks(tx: Tx, write: ProjectionWrite): Promise<void> {
  const { view, revision } = write;
  const changed = new Set(write.changedTaskIds);
  const changedTasks = view.tasks.filter((t) => changed.has(t.taskId));
  if (changedTasks.length === 0) return;
  const title = taskTitle(view.flowName, view.businessKey, view.initiatorId);
  await tx
    .insert(tasks)
    .values(
      changedTasks.map((t) => ({
        instanceId: view.instanceId,
        taskId: t.taskId,
        flowCode: view.flowCode,
        nodeId: t.nodeId,
        nodeName: t.nodeName ?? null,
        assigneeId: t.assigneeId,
        status: t.status,
        reason: t.reason ?? null,
        title,
        comment: t.comment ?? null,
        delegatedFrom: t.delegatedFrom ?? null,
        createdAt: t.createdAt,
        completedAt: t.completedAt ?? null,
        revision,
      })),
    )
    .onConflictDoUpdate({
      target: [tasks.instanceId, tasks.taskId],
      set: fromExcluded(tasks, ['assigneeId', 'status', 'reason', 'comment', 'delegatedFrom', 'completedAt', 'revision']),
      setWhere: sql`${tasks.revision} <= excluded.revision`,
    });
}

/** What a todo list shows for the instance's tasks: `采购申请 · PO-1 · 张三`, the initiator's name read by the insert itself. */
function taskTitle(flowName: string, businessKey: string, initiatorId: string) {
  const initiatorName = sql`coalesce((select ${users.name} from ${users} where ${users.id} = ${initiatorId}), ${initiatorId})`;
  return sql<string>`concat_ws(' · ', ${flowName}::text, ${businessKey}::text, ${initiatorName})`;
}
