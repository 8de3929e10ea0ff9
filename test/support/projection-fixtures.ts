import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { isoTimestamp } from '../../db/keyset';
import { writeProjection } from '../../db/projection';
import { instanceEvents, instances, tasks } from '../../db/schema';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { markAfter, nextProjection, NOTHING_PROJECTED, type ProjectionMark, type ProjectionWrite } from '../../engine/projection';
import type { InstanceState, TimelineEvent } from '../../engine/state';
import { pollUntil } from './fixtures';
import { Driver, type DriverOptions } from './engine-driver';
import { instanceViewQuery, timelineQuery } from '../../workflows/messages';
import type { TestStack } from './test-stack';

/** Helpers for the projection, task-center and drift-check integration tests. */

export interface WorkflowSide {
  view: InstanceView;
  timeline: TimelineEvent[];
}

/** The instance as the workflow itself answers (queries work on closed workflows too). */
export async function workflowSide(stack: TestStack, instanceId: string): Promise<WorkflowSide> {
  const handle = stack.temporal.workflow.getHandle(instanceId);
  const view = await handle.query(instanceViewQuery);
  const timeline = (await handle.query(timelineQuery)).events;
  return { view, timeline };
}

export type InstanceRow = typeof instances.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type EventRow = typeof instanceEvents.$inferSelect;

export interface ProjectedRows {
  instance: InstanceRow | undefined;
  tasks: TaskRow[];
  events: EventRow[];
}

/** Every projection row of an instance: tasks by task id, events by seq. */
export async function projectedRows(db: Db, instanceId: string): Promise<ProjectedRows> {
  const [instance] = await db.select().from(instances).where(eq(instances.instanceId, instanceId));
  const taskRows = await db.select().from(tasks).where(eq(tasks.instanceId, instanceId)).orderBy(asc(tasks.taskId));
  const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instanceId)).orderBy(asc(instanceEvents.seq));
  return { instance, tasks: taskRows, events };
}

/** An event row as the timeline event it was written from. */
export function eventOfRow(row: EventRow): TimelineEvent {
  return {
    seq: row.seq,
    type: row.type,
    at: isoTimestamp(row.at),
    ...(row.actorId !== null ? { actorId: row.actorId } : {}),
    ...(row.taskId !== null ? { taskId: row.taskId } : {}),
    ...(row.nodeId !== null ? { nodeId: row.nodeId } : {}),
    data: row.data,
  };
}

/** The projection holds the workflow's view and every event of its timeline. */
export function projectionCaughtUp(rows: ProjectedRows, side: WorkflowSide): boolean {
  const maxSeq = side.timeline.reduce((max, e) => Math.max(max, e.seq), -1);
  return (
    rows.instance !== undefined && rows.instance.lastEventSeq === maxSeq && JSON.stringify(sortKeys(rows.instance.view)) === JSON.stringify(sortKeys(side.view))
  );
}

/** Waits until the projection has caught up with the workflow; answers both. */
export async function waitForProjection(stack: TestStack, instanceId: string, timeoutMs = 10_000): Promise<{ rows: ProjectedRows; side: WorkflowSide }> {
  return pollUntil(
    `projection of ${instanceId}`,
    async () => ({ rows: await projectedRows(stack.database.db, instanceId), side: await workflowSide(stack, instanceId) }),
    ({ rows, side }) => projectionCaughtUp(rows, side),
    timeoutMs,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/**
 * The pure engine driven in memory, projected the way the workflow projects it — for writing
 * projection rows directly (retries, out-of-order writes, many tasks for paging).
 */
export class ProjectedDriver {
  readonly driver: Driver;
  mark: ProjectionMark = NOTHING_PROJECTED;
  private written: ReadonlyMap<string, string> = new Map();

  constructor(
    definition: FlowDefinition,
    ids: { instanceId: string; businessKey: string },
    options: DriverOptions & { source?: InstanceState['source'] } = {},
  ) {
    this.driver = Driver.start(definition, { initiatorId: 'u_initiator', ...options });
    const { source } = options;
    this.driver.state = { ...this.driver.state, instanceId: ids.instanceId, businessKey: ids.businessKey, ...(source ? { source } : {}) };
  }

  /** The next write, as the workflow would send it after the current state. */
  next(): ProjectionWrite {
    const { write, fingerprints } = nextProjection(this.driver.state, this.mark, this.written);
    this.mark = markAfter(write, this.mark);
    this.written = fingerprints;
    return write;
  }

  /** Computes the next write and writes it. */
  async project(db: Db): Promise<ProjectionWrite> {
    const write = this.next();
    await writeProjection(db, write);
    return write;
  }
}
