import { count, eq, isNull } from 'drizzle-orm';
import type { Db } from './client';
import { notifications, tasks, webhookDeadLetters } from './schema';

/** What the scrape-time gauges show (observability/database-gauges.ts): a few counts over indexed or small sets. */
export interface OperationalCounts {
  /** Pending tasks (待办) per flow code. */
  pendingTasksByFlow: Array<{ flowCode: string; count: number }>;
  /** Dead-lettered webhooks not replayed yet. */
  deadLetters: number;
  /** Notifications of the outbox not sent yet. */
  outboxDepth: number;
}

export async function operationalCounts(db: Db): Promise<OperationalCounts> {
  const [byFlow, [dead], [outbox]] = await Promise.all([
    db.select({ flowCode: tasks.flowCode, count: count() }).from(tasks).where(eq(tasks.status, 'pending')).groupBy(tasks.flowCode),
    db.select({ count: count() }).from(webhookDeadLetters).where(isNull(webhookDeadLetters.replayedAt)),
    db.select({ count: count() }).from(notifications).where(eq(notifications.state, 'pending')),
  ]);
  return { pendingTasksByFlow: byFlow, deadLetters: dead?.count ?? 0, outboxDepth: outbox?.count ?? 0 };
}
