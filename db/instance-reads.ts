import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { InstanceView, TimelineView } from '../engine/instance-view';
import type { InstanceStatus } from '../engine/state';
import type { Db } from './client';
import { decodeCursor, isoTimestamp, toPage, withCursor } from './keyset';
import { instanceEvents, instances } from './schema';

/** The instance as last projected, or undefined when it never was. */
export async function findProjectedView(db: Db, instanceId: string): Promise<InstanceView | undefined> {
  const [row] = await db.select({ view: instances.view }).from(instances).where(eq(instances.instanceId, instanceId));
  return row?.view;
}

/** The full audit timeline from the events table, or undefined when the instance was never projected. */
export async function findProjectedTimeline(db: Db, instanceId: string): Promise<TimelineView | undefined> {
  const [exists] = await db.select({ id: instances.instanceId }).from(instances).where(eq(instances.instanceId, instanceId));
  if (!exists) return undefined;
  const rows = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instanceId)).orderBy(asc(instanceEvents.seq));
  return {
    events: rows.map((r) => ({
      seq: r.seq,
      type: r.type,
      at: isoTimestamp(r.at),
      ...(r.actorId !== null ? { actorId: r.actorId } : {}),
      ...(r.taskId !== null ? { taskId: r.taskId } : {}),
      ...(r.nodeId !== null ? { nodeId: r.nodeId } : {}),
      data: r.data,
    })),
  };
}

export interface InstanceListFilter {
  source?: { system: string; type?: string; id?: string };
  initiatorId?: string;
  /** Only the instances this app started (SPEC §7). */
  appKey?: string;
  status?: InstanceStatus;
  flowCode?: string;
}

export interface InstanceSummary {
  instanceId: string;
  flowCode: string;
  flowName: string;
  flowVersion: number;
  businessKey: string;
  status: InstanceStatus;
  initiatorId: string;
  source?: { system: string; type: string; id: string };
  currentNodeIds: string[];
  createdAt: string;
  completedAt?: string;
}

/** Instances of one source document (or system / type) or of one initiator, newest first. */
export async function listInstances(
  db: Db,
  filter: InstanceListFilter,
  page: { limit: number; cursor?: string },
): Promise<{ items: InstanceSummary[]; nextCursor?: string }> {
  const conditions: SQL[] = [];
  if (filter.source) {
    conditions.push(eq(instances.sourceSystem, filter.source.system));
    if (filter.source.type !== undefined) conditions.push(eq(instances.sourceType, filter.source.type));
    if (filter.source.id !== undefined) conditions.push(eq(instances.sourceId, filter.source.id));
  }
  if (filter.initiatorId !== undefined) conditions.push(eq(instances.initiatorId, filter.initiatorId));
  if (filter.appKey !== undefined) conditions.push(eq(instances.appKey, filter.appKey));
  if (filter.status !== undefined) conditions.push(eq(instances.status, filter.status));
  if (filter.flowCode !== undefined) conditions.push(eq(instances.flowCode, filter.flowCode));
  if (page.cursor !== undefined) {
    const key = decodeCursor(page.cursor, 2);
    conditions.push(sql`(${instances.createdAt}, ${instances.instanceId}) < (${key[0]}::timestamptz, ${key[1]})`);
  }
  const rows = await withCursor(() =>
    db
      .select({
        instanceId: instances.instanceId,
        flowCode: instances.flowCode,
        flowName: sql<string>`${instances.view}->>'flowName'`,
        flowVersion: instances.flowVersion,
        businessKey: instances.businessKey,
        status: instances.status,
        initiatorId: instances.initiatorId,
        sourceSystem: instances.sourceSystem,
        sourceType: instances.sourceType,
        sourceId: instances.sourceId,
        currentNodeIds: instances.currentNodeIds,
        createdAt: instances.createdAt,
        completedAt: instances.completedAt,
      })
      .from(instances)
      .where(and(...conditions))
      .orderBy(desc(instances.createdAt), desc(instances.instanceId))
      .limit(page.limit + 1),
  );
  return toPage(
    rows,
    page.limit,
    (r) => [r.createdAt, r.instanceId],
    (r): InstanceSummary => ({
      instanceId: r.instanceId,
      flowCode: r.flowCode,
      flowName: r.flowName,
      flowVersion: r.flowVersion,
      businessKey: r.businessKey,
      status: r.status,
      initiatorId: r.initiatorId,
      ...(r.sourceSystem !== null && r.sourceType !== null && r.sourceId !== null
        ? { source: { system: r.sourceSystem, type: r.sourceType, id: r.sourceId } }
        : {}),
      currentNodeIds: r.currentNodeIds,
      createdAt: isoTimestamp(r.createdAt),
      ...(r.completedAt !== null ? { completedAt: isoTimestamp(r.completedAt) } : {}),
    }),
  );
}
