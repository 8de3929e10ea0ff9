import { and, desc, eq, isNull, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { WebhookEvent } from '../engine/webhook-events';
import type { WebhookAttempt, WebhookDelivery } from '../integrations/webhooks/send-webhook';
import type { Db } from './client';
import { decodeCursor, InvalidCursorError, isoTimestamp, toPage, withCursor } from './keyset';
import { webhookDeadLetters, webhookDeliveries } from './schema';

/** The delivery log: one row per attempt. */
export async function logWebhookAttempt(db: Db, delivery: WebhookDelivery, attempt: number, result: WebhookAttempt): Promise<void> {
  await db.insert(webhookDeliveries).values({
    eventId: delivery.event.eventId,
    eventType: delivery.event.type,
    instanceId: delivery.event.instance.instanceId,
    appKey: delivery.appKey,
    url: delivery.url,
    attempt,
    outcome: result.outcome,
    statusCode: result.statusCode ?? null,
    error: result.error ?? null,
    durationMs: result.durationMs,
  });
}

export interface DeliveryLogEntry {
  eventId: string;
  eventType: string;
  instanceId: string;
  url: string;
  attempt: number;
  outcome: WebhookAttempt['outcome'];
  statusCode?: number;
  error?: string;
  durationMs: number;
  at: string;
}

export async function listWebhookAttempts(
  db: Db,
  filter: { eventId?: string; instanceId?: string; appKey?: string },
  limit: number,
): Promise<DeliveryLogEntry[]> {
  const conditions: SQL[] = [];
  if (filter.eventId) conditions.push(eq(webhookDeliveries.eventId, filter.eventId));
  if (filter.instanceId) conditions.push(eq(webhookDeliveries.instanceId, filter.instanceId));
  if (filter.appKey) conditions.push(eq(webhookDeliveries.appKey, filter.appKey));
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(webhookDeliveries.at, webhookDeliveries.id)
    .limit(limit);
  return rows.map((r) => ({
    eventId: r.eventId,
    eventType: r.eventType,
    instanceId: r.instanceId,
    url: r.url,
    attempt: r.attempt,
    outcome: r.outcome,
    ...(r.statusCode !== null ? { statusCode: r.statusCode } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    durationMs: r.durationMs,
    at: isoTimestamp(r.at),
  }));
}

/** After the last try: kept with its body. The same event dead again (a failed replay) updates its row. */
export async function deadLetterWebhook(db: Db, delivery: WebhookDelivery, lastError: string, lastStatusCode?: number): Promise<void> {
  await db
    .insert(webhookDeadLetters)
    .values({
      eventId: delivery.event.eventId,
      eventType: delivery.event.type,
      instanceId: delivery.event.instance.instanceId,
      appKey: delivery.appKey,
      url: delivery.url,
      body: delivery.event as unknown as Record<string, unknown>,
      lastError,
      lastStatusCode: lastStatusCode ?? null,
    })
    .onConflictDoUpdate({
      target: webhookDeadLetters.eventId,
      set: { lastError, lastStatusCode: lastStatusCode ?? null, deadAt: sql`now()`, replayedAt: null },
    });
}

export interface DeadLetter {
  id: string;
  eventId: string;
  eventType: string;
  instanceId: string;
  url: string;
  lastError: string;
  lastStatusCode?: number;
  deadAt: string;
  replayedAt?: string;
  replayAttempts: number;
  event: WebhookEvent;
}

type DeadLetterRow = typeof webhookDeadLetters.$inferSelect;

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: String(row.id),
    eventId: row.eventId,
    eventType: row.eventType,
    instanceId: row.instanceId,
    url: row.url,
    lastError: row.lastError,
    ...(row.lastStatusCode !== null ? { lastStatusCode: row.lastStatusCode } : {}),
    deadAt: isoTimestamp(row.deadAt),
    ...(row.replayedAt !== null ? { replayedAt: isoTimestamp(row.replayedAt) } : {}),
    replayAttempts: row.replayAttempts,
    event: row.body as unknown as WebhookEvent,
  };
}

export interface DeadLetterFilter {
  /** Only this app's (apps without `admin` see their own). */
  appKey?: string;
  instanceId?: string;
  /** dead (not yet replayed, the default) · replayed · all */
  state: 'dead' | 'replayed' | 'all';
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paged by (dead_at, id). */
export async function listDeadLetters(db: Db, filter: DeadLetterFilter): Promise<{ items: DeadLetter[]; nextCursor?: string }> {
  const conditions: SQL[] = [];
  if (filter.appKey) conditions.push(eq(webhookDeadLetters.appKey, filter.appKey));
  if (filter.instanceId) conditions.push(eq(webhookDeadLetters.instanceId, filter.instanceId));
  if (filter.state === 'dead') conditions.push(isNull(webhookDeadLetters.replayedAt));
  if (filter.state === 'replayed') conditions.push(isNotNull(webhookDeadLetters.replayedAt));
  if (filter.cursor) {
    const [at, id] = decodeCursor(filter.cursor, 2) as [string, string];
    if (!/^\d{1,18}$/.test(id)) throw new InvalidCursorError();
    conditions.push(or(lt(webhookDeadLetters.deadAt, at), and(eq(webhookDeadLetters.deadAt, at), lt(webhookDeadLetters.id, Number(id))))!);
  }
  const rows = await withCursor(() =>
    db
      .select()
      .from(webhookDeadLetters)
      .where(and(...conditions))
      .orderBy(desc(webhookDeadLetters.deadAt), desc(webhookDeadLetters.id))
      .limit(filter.limit + 1),
  );
  return toPage(rows, filter.limit, (r) => [r.deadAt, String(r.id)], toDeadLetter);
}

export async function findDeadLetter(db: Db, id: number): Promise<(DeadLetter & { appKey: string }) | undefined> {
  const [row] = await db.select().from(webhookDeadLetters).where(eq(webhookDeadLetters.id, id)).limit(1);
  return row ? { ...toDeadLetter(row), appKey: row.appKey } : undefined;
}

/** Records a replay: delivered ones are stamped `replayed_at`; either way the attempt is counted. */
export async function recordReplay(db: Db, id: number, result: WebhookAttempt): Promise<DeadLetter> {
  const delivered = result.outcome === 'delivered';
  const [row] = await db
    .update(webhookDeadLetters)
    .set({
      replayAttempts: sql`${webhookDeadLetters.replayAttempts} + 1`,
      ...(delivered ? { replayedAt: sql`now()` } : { lastError: result.error ?? 'failed', lastStatusCode: result.statusCode ?? null }),
    })
    .where(eq(webhookDeadLetters.id, id))
    .returning();
  if (!row) throw new Error(`dead letter ${id} vanished during its replay`);
  return toDeadLetter(row);
}
