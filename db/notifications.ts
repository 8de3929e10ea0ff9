import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from './client';
import { notifications, type NotificationState } from './schema';

export type Notification = typeof notifications.$inferSelect;
export type NewNotification = Omit<typeof notifications.$inferInsert, 'id' | 'createdAt' | 'deliveredAt'>;

/** Adds rows to the outbox; a row whose `key` is already there is skipped. Answers how many were new. */
export async function enqueueNotifications(db: DbOrTx, rows: NewNotification[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db.insert(notifications).values(rows).onConflictDoNothing({ target: notifications.key }).returning({ id: notifications.id });
  return inserted.length;
}

/** The outbox, oldest first, optionally narrowed to one instance, one recipient and/or one delivery state. */
export async function listNotifications(
  db: DbOrTx,
  filter: { instanceId?: string; recipientId?: string; state?: NotificationState } = {},
): Promise<Notification[]> {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        filter.instanceId === undefined ? undefined : eq(notifications.instanceId, filter.instanceId),
        filter.recipientId === undefined ? undefined : eq(notifications.recipientId, filter.recipientId),
        filter.state === undefined ? undefined : eq(notifications.state, filter.state),
      ),
    )
    .orderBy(asc(notifications.id));
}
