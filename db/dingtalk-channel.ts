import { and, eq, inArray, sql } from 'drizzle-orm';
import type { FormField } from '../engine/dsl';
import type { Db } from './client';
import { dingtalkCards, dingtalkTodos, flowVersions, notifications, users, type CardState, type NotificationState } from './schema';

/** What the DingTalk channel keeps of each task's card and todo, and the outbox of work notifications. */

export type CardRow = typeof dingtalkCards.$inferSelect;
export type TodoRow = typeof dingtalkTodos.$inferSelect;

export interface DingTalkPerson {
  id: string;
  name: string;
  dingtalkUserId: string | null;
  dingtalkUnionId: string | null;
}

export async function findPeople(db: Db, ids: string[]): Promise<Map<string, DingTalkPerson>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: users.name, dingtalkUserId: users.dingtalkUserId, dingtalkUnionId: users.dingtalkUnionId })
    .from(users)
    .where(inArray(users.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r]));
}

/** Our active user with this DingTalk userId. */
export async function findUserByDingTalkId(db: Db, dingtalkUserId: string): Promise<{ id: string; name: string } | undefined> {
  const [row] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.dingtalkUserId, dingtalkUserId), eq(users.active, true)))
    .limit(1);
  return row;
}

export async function findFormFields(db: Db, flowCode: string, version: number): Promise<FormField[]> {
  const [row] = await db
    .select({ definition: flowVersions.definition })
    .from(flowVersions)
    .where(and(eq(flowVersions.code, flowCode), eq(flowVersions.version, version)));
  return row?.definition.form?.fields ?? [];
}

export async function listCards(db: Db, instanceId: string): Promise<CardRow[]> {
  return db.select().from(dingtalkCards).where(eq(dingtalkCards.instanceId, instanceId));
}

export async function findCard(db: Db, outTrackId: string): Promise<CardRow | undefined> {
  const [row] = await db.select().from(dingtalkCards).where(eq(dingtalkCards.outTrackId, outTrackId));
  return row;
}

export async function saveCard(db: Db, card: Omit<CardRow, 'createdAt' | 'updatedAt'>): Promise<void> {
  await db
    .insert(dingtalkCards)
    .values(card)
    .onConflictDoUpdate({
      target: dingtalkCards.outTrackId,
      set: { state: card.state, params: card.params, lastError: card.lastError, updatedAt: sql`now()` },
    });
}

export async function updateCardState(
  db: Db,
  outTrackId: string,
  state: CardState,
  params: Record<string, string>,
  lastError: string | null = null,
): Promise<void> {
  await db
    .update(dingtalkCards)
    .set({ state, params, lastError, updatedAt: sql`now()` })
    .where(eq(dingtalkCards.outTrackId, outTrackId));
}

export async function listTodos(db: Db, instanceId: string): Promise<TodoRow[]> {
  return db.select().from(dingtalkTodos).where(eq(dingtalkTodos.instanceId, instanceId));
}

/** `todoId` null: about to be created (recorded first, so a crash in between leaves a trace); then its id. */
export async function saveTodo(db: Db, todo: Pick<TodoRow, 'instanceId' | 'taskId' | 'unionId' | 'todoId'>): Promise<void> {
  await db
    .insert(dingtalkTodos)
    .values(todo)
    .onConflictDoUpdate({
      target: [dingtalkTodos.instanceId, dingtalkTodos.taskId],
      set: { todoId: sql`excluded.todo_id` },
      setWhere: sql`${dingtalkTodos.todoId} is null`,
    });
}

export async function markTodoDone(db: Db, instanceId: string, taskId: string): Promise<void> {
  await db
    .update(dingtalkTodos)
    .set({ done: true, doneAt: sql`now()` })
    .where(and(eq(dingtalkTodos.instanceId, instanceId), eq(dingtalkTodos.taskId, taskId)));
}

export async function recordNotificationAttempt(
  db: Db,
  id: number,
  outcome: { state: NotificationState; error?: string; dingtalkTaskId?: string },
): Promise<void> {
  await db
    .update(notifications)
    .set({
      state: outcome.state,
      attempts: sql`${notifications.attempts} + 1`,
      lastError: outcome.error ?? null,
      ...(outcome.dingtalkTaskId !== undefined ? { dingtalkTaskId: outcome.dingtalkTaskId } : {}),
      ...(outcome.state === 'sent' ? { deliveredAt: sql`now()` } : {}),
    })
    .where(eq(notifications.id, id));
}
