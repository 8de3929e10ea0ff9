import { isDeepStrictEqual } from 'node:util';
import type { Client } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { instanceEvents, instances, tasks } from '../db/schema';
import type { InstanceView } from '../engine/instance-view';
import { isWorkflowNotFound } from '../temporal-config/workflow-not-found';
import { APPROVAL_WORKFLOW_TYPE, instanceViewQuery, timelineQuery } from '../workflows/messages';

/** One way the projection of an instance disagrees with its workflow. */
export interface Drift {
  instanceId: string;
  kind: 'missing_instance' | 'instance_field' | 'missing_task' | 'task_field' | 'stale_open_task' | 'missing_events' | 'workflow_missing';
  field?: string;
  taskId?: string;
  projection?: unknown;
  workflow?: unknown;
}

export interface DriftReport {
  checkedAt: string;
  instancesChecked: number;
  differences: Drift[];
}

export interface DriftCheckDependencies {
  db: Db;
  temporal: Client;
  /** Only workflows of this task queue are this deployment's (a shared namespace may hold others). */
  taskQueue: string;
}

/**
 * Compares the projection with the workflow for every open instance — open by Temporal's
 * visibility or by the projection — and lists every difference. The projection may lag an
 * action by milliseconds, so an instance that differs is looked at again after `settleMs` and
 * reported only if it still differs.
 */
export async function checkDrift(deps: DriftCheckDependencies, options: { settleMs?: number; concurrency?: number } = {}): Promise<DriftReport> {
  const checkedAt = new Date().toISOString();
  const ids = new Set<string>();
  const query = `WorkflowType = '${APPROVAL_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${deps.taskQueue.replace(/'/g, "''")}'`;
  for await (const execution of deps.temporal.workflow.list({ query })) ids.add(execution.workflowId);
  const projectedOpen = await deps.db.select({ id: instances.instanceId }).from(instances).where(eq(instances.status, 'running'));
  for (const row of projectedOpen) ids.add(row.id);

  const differences: Drift[] = [];
  const queue = [...ids].sort();
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let found = await compareInstance(deps, id);
      if (found.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500));
        found = await compareInstance(deps, id);
      }
      differences.push(...found);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  differences.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  return { checkedAt, instancesChecked: ids.size, differences };
}

export async function compareInstance(deps: DriftCheckDependencies, instanceId: string): Promise<Drift[]> {
  const handle = deps.temporal.workflow.getHandle(instanceId);
  let view: InstanceView;
  let timelineSeqs: number[];
  try {
    view = await handle.query(instanceViewQuery);
    timelineSeqs = (await handle.query(timelineQuery)).events.map((e) => e.seq);
  } catch (err) {
    if (isWorkflowNotFound(err)) return [{ instanceId, kind: 'workflow_missing' }];
    throw err;
  }
  const [row] = await deps.db.select().from(instances).where(eq(instances.instanceId, instanceId));
  if (!row) return [{ instanceId, kind: 'missing_instance', workflow: { status: view.status } }];

  const drift: Drift[] = [];
  const field = (name: string, projection: unknown, workflow: unknown) => {
    // jsonb keeps object keys in its own order: compare values, not serialisations.
    if (!isDeepStrictEqual(projection, workflow)) drift.push({ instanceId, kind: 'instance_field', field: name, projection, workflow });
  };
  field('status', row.status, view.status);
  field('currentNodeIds', [...row.currentNodeIds].sort(), [...view.currentNodeIds].sort());
  field('flowVersion', row.flowVersion, view.flowVersion);
  field('view.returnedToInitiator', row.view.returnedToInitiator, view.returnedToInitiator);
  field('view.form', row.view.form, view.form);

  const taskRows = await deps.db.select().from(tasks).where(eq(tasks.instanceId, instanceId));
  const byId = new Map(taskRows.map((t) => [t.taskId, t]));
  for (const task of view.tasks) {
    const projected = byId.get(task.taskId);
    if (!projected) {
      drift.push({ instanceId, kind: 'missing_task', taskId: task.taskId, workflow: { assigneeId: task.assigneeId, status: task.status } });
      continue;
    }
    for (const [name, projectedValue, workflowValue] of [
      ['status', projected.status, task.status],
      ['assigneeId', projected.assigneeId, task.assigneeId],
      ['completedAt', projected.completedAt === null ? null : new Date(projected.completedAt).toISOString(), task.completedAt ?? null],
    ] as const) {
      if (projectedValue !== workflowValue)
        drift.push({ instanceId, kind: 'task_field', taskId: task.taskId, field: name, projection: projectedValue, workflow: workflowValue });
    }
  }
  // The workflow drops long-closed tasks from its view; an open row it does not know is a todo nobody can act on.
  const known = new Set(view.tasks.map((t) => t.taskId));
  for (const t of taskRows) {
    if ((t.status === 'pending' || t.status === 'waiting') && !known.has(t.taskId))
      drift.push({ instanceId, kind: 'stale_open_task', taskId: t.taskId, projection: { assigneeId: t.assigneeId, status: t.status } });
  }

  if (timelineSeqs.length > 0) {
    const present = await deps.db
      .select({ seq: instanceEvents.seq })
      .from(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, instanceId), inArray(instanceEvents.seq, timelineSeqs)));
    const have = new Set(present.map((p) => p.seq));
    const missing = timelineSeqs.filter((seq) => !have.has(seq));
    if (missing.length > 0) drift.push({ instanceId, kind: 'missing_events', field: 'seq', workflow: missing });
  }
  return drift;
}
