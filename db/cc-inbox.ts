import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { decodeCursor, InvalidCursorError, isoTimestamp, toPage, withCursor } from './keyset';
import { instances, notifications } from './schema';

/** One cc notice (抄送我的): the notification the engine queued for a cc recipient, and whether they opened it. */
export interface CcItem {
  ccId: string;
  instanceId: string;
  flowCode?: string;
  nodeId?: string;
  title: string;
  /** The instance's status now (absent while it is not projected). */
  status?: string;
  createdAt: string;
  readAt?: string;
}

/** A user's cc notices, newest first, keyset-paged along `notifications_inbox_idx`; `unread` leaves out those opened. */
export async function listCc(db: Db, recipientId: string, filter: { unread?: boolean }, page: { limit: number; cursor?: string }) {
  const conditions: SQL[] = [eq(notifications.recipientId, recipientId), eq(notifications.kind, 'cc')];
  if (filter.unread) conditions.push(isNull(notifications.readAt));
  if (page.cursor !== undefined) {
    const key = decodeCursor(page.cursor, 2);
    if (!/^\d{1,18}$/.test(key[1]!)) throw new InvalidCursorError();
    conditions.push(sql`(${notifications.createdAt}, ${notifications.id}) < (${key[0]}::timestamptz, ${key[1]}::bigint)`);
  }
  const rows = await withCursor(() =>
    db
      .select({
        id: notifications.id,
        instanceId: notifications.instanceId,
        nodeId: notifications.nodeId,
        title: notifications.title,
        createdAt: sql<string>`${notifications.createdAt}::text`,
        readAt: sql<string | null>`${notifications.readAt}::text`,
        flowCode: instances.flowCode,
        status: instances.status,
      })
      .from(notifications)
      .leftJoin(instances, eq(instances.instanceId, notifications.instanceId))
      .where(and(...conditions))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(page.limit + 1),
  );
  return toPage(
    rows,
    page.limit,
    (r) => [r.createdAt, String(r.id)],
    (r): CcItem => ({
      ccId: String(r.id),
      instanceId: r.instanceId,
      ...(r.flowCode !== null ? { flowCode: r.flowCode } : {}),
      ...(r.nodeId !== null ? { nodeId: r.nodeId } : {}),
      title: r.title,
      ...(r.status !== null ? { status: r.status } : {}),
      createdAt: isoTimestamp(r.createdAt),
      ...(r.readAt !== null ? { readAt: isoTimestamp(r.readAt) } : {}),
    }),
  );
}

/** Marks the recipient's cc notice read (the first time counts); undefined when they have no such notice. */
export async function markCcRead(db: Db, recipientId: string, ccId: number, now = new Date()): Promise<{ readAt: Date } | undefined> {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)` })
    .where(and(eq(notifications.id, ccId), eq(notifications.recipientId, recipientId), eq(notifications.kind, 'cc')))
    .returning({ readAt: notifications.readAt });
  return row?.readAt ? { readAt: row.readAt } : undefined;
}
