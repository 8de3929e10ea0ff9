import { and, desc, eq, gte, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { TaskStatus } from '../engine/state';
import type { Db } from './client';
import { decodeCursor, isoTimestamp, toPage, withCursor } from './keyset';
import { instances, tasks, users } from './schema';

/** 已办: every task that is neither pending nor waiting. */
export const CLOSED = 'closed';
const OPEN_STATUSES: TaskStatus[] = ['pending', 'waiting'];

export interface TaskListFilter {
  assigneeId?: string;
  status: TaskStatus | typeof CLOSED;
  /** Only tasks of instances this app started (SPEC §7). */
  appKey?: string;
  flowCode?: string;
  /** Created at or after (inclusive). */
  createdFrom?: string;
  /** Created before (exclusive). */
  createdTo?: string;
}

export interface TodoItem {
  taskId: string;
  instanceId: string;
  flowCode: string;
  nodeId: string;
  nodeName?: string;
  assigneeId: string;
  status: TaskStatus;
  createdAt: string;
  completedAt?: string;
  title: string;
  delegatedFrom?: string;
}

export interface TodoPage {
  items: TodoItem[];
  nextCursor?: string;
}

/**
 * The task center: newest first, `(createdAt, instanceId, taskId)` breaking ties, so the order is
 * total and stable under inserts. With an assignee the page is one range of `tasks_assignee_idx`;
 * without, of `tasks_status_idx`.
 */
export async function listTasks(db: Db, filter: TaskListFilter, page: { limit: number; cursor?: string }): Promise<TodoPage> {
  const conditions: SQL[] = [filter.status === CLOSED ? notInArray(tasks.status, OPEN_STATUSES) : eq(tasks.status, filter.status)];
  if (filter.appKey !== undefined) {
    conditions.push(sql`exists (select 1 from ${instances} where ${instances.instanceId} = ${tasks.instanceId} and ${instances.appKey} = ${filter.appKey})`);
  }
  if (filter.assigneeId !== undefined) conditions.push(eq(tasks.assigneeId, filter.assigneeId));
  if (filter.flowCode !== undefined) conditions.push(eq(tasks.flowCode, filter.flowCode));
  if (filter.createdFrom !== undefined) conditions.push(gte(tasks.createdAt, filter.createdFrom));
  if (filter.createdTo !== undefined) conditions.push(lt(tasks.createdAt, filter.createdTo));
  if (page.cursor !== undefined) {
    const key = decodeCursor(page.cursor, 3);
    conditions.push(sql`(${tasks.createdAt}, ${tasks.instanceId}, ${tasks.taskId}) < (${key[0]}::timestamptz, ${key[1]}, ${key[2]})`);
  }
  const rows = await withCursor(() =>
    db
      .select({
        taskId: tasks.taskId,
        instanceId: tasks.instanceId,
        flowCode: tasks.flowCode,
        nodeId: tasks.nodeId,
        nodeName: tasks.nodeName,
        assigneeId: tasks.assigneeId,
        status: tasks.status,
        createdAt: tasks.createdAt,
        completedAt: tasks.completedAt,
        title: tasks.title,
        delegatedFrom: tasks.delegatedFrom,
      })
      .from(tasks)
      .where(and(...conditions))
      .orderBy(desc(tasks.createdAt), desc(tasks.instanceId), desc(tasks.taskId))
      .limit(page.limit + 1),
  );
  return toPage(
    rows,
    page.limit,
    (r) => [r.createdAt, r.instanceId, r.taskId],
    (r): TodoItem => ({
      taskId: r.taskId,
      instanceId: r.instanceId,
      flowCode: r.flowCode,
      nodeId: r.nodeId,
      ...(r.nodeName !== null ? { nodeName: r.nodeName } : {}),
      assigneeId: r.assigneeId,
      status: r.status,
      createdAt: isoTimestamp(r.createdAt),
      ...(r.completedAt !== null ? { completedAt: isoTimestamp(r.completedAt) } : {}),
      title: r.title,
      ...(r.delegatedFrom !== null ? { delegatedFrom: r.delegatedFrom } : {}),
    }),
  );
}

/** Instances with open (pending or waiting) tasks held by users who are no longer active, and who those users are. */
export async function findOpenTasksOfInactiveUsers(db: Db): Promise<Array<{ instanceId: string; userIds: string[] }>> {
  const rows = await db
    .select({ instanceId: tasks.instanceId, userIds: sql<string[]>`array_agg(distinct ${tasks.assigneeId} order by ${tasks.assigneeId})` })
    .from(tasks)
    .innerJoin(users, eq(users.id, tasks.assigneeId))
    .where(and(inArray(tasks.status, ['pending', 'waiting']), eq(users.active, false)))
    .groupBy(tasks.instanceId)
    .orderBy(tasks.instanceId);
  return rows;
}
