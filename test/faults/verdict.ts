import { and, inArray, ne, sql } from 'drizzle-orm';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { instances as instanceRows, tasks as taskRows, webhookDeadLetters } from '../../db/schema';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { checkDrift, compareInstance } from '../../ops/drift-check';
import { instancePath } from '../support/fixtures';
import type { ExpectedInstance } from './chain-workload';
import type { FaultStack } from './fault-stack';
import { callWithRetry, Traffic } from './traffic';

/** What was checked after a scenario; every field but the informational ones must be 0. */
export interface Verdict {
  instances: number;
  /** Instances not in their expected final state (by the API and by the projection), or never finished by the driver. */
  wrongFinalStates: number;
  /** Side effects that should have happened and did not: webhook events, budget calls, card updates, todo completions. */
  lostSideEffects: number;
  /** Side effects applied twice: a second event for one change, a second reservation, an action counted twice. */
  duplicatedSideEffects: number;
  /** Projection vs workflow differences (the drift check, over every instance of the scenario). */
  drift: number;
  /** Open tasks (projection rows or DingTalk todos) of instances that ended. */
  orphanTasks: number;
  /** 500 answers (a 502/503 while a server is down is retried and not counted here). */
  internalErrors: number;
  /** Times the worker process died by itself (run-faults.ts counts them after each scenario). */
  crashes: number;
  /** Informational: tasks that ended before the channel delivered their card (none is sent then). */
  undelivered: number;
  /** Informational: webhook deliveries of an event the receiver already had (at-least-once; it dedupes by eventId). */
  redeliveries: number;
  /** What went wrong, for the log. */
  problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the projection shows every instance ended and every final webhook arrived (or `timeoutMs`). */
/**
 * A query the worker could not answer in time (the machine loaded by the suite itself, a worker
 * still catching up after its restart) is asked again: a slow answer is not a lost approval.
 */
async function withQueryRetries<T>(ask: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (err) {
      if (attempt >= attempts) throw err;
      process.stderr.write(`[faults] a workflow query failed (${err instanceof Error ? err.message : String(err)}); asking again\n`);
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
}

/** For the log of an instance found wanting: what its workflow is doing and the tail of its history. */
async function whereItStands(stack: FaultStack, instanceId: string): Promise<string[]> {
  try {
    const handle = stack.temporal.workflow.getHandle(instanceId);
    const description = await handle.describe();
    const pending = description.raw.pendingActivities ?? [];
    const history = (await handle.fetchHistory()).events ?? [];
    const tail = history.slice(-12).map(
      (e) =>
        `${e.eventId}:${
          Object.keys(e)
            .find((key) => key.endsWith('EventAttributes'))
            ?.replace(/EventAttributes$/, '') ?? e.eventType
        }`,
    );
    return [
      `${instanceId}: workflow ${description.status.name}, ${history.length} events, ` +
        `pending activities: ${pending.map((a) => `${a.activityType?.name} attempt ${a.attempt} (${a.lastFailure?.message ?? 'no failure'})`).join('; ') || 'none'}`,
      `${instanceId}: history tail ${tail.join(' ')}`,
    ];
  } catch (err) {
    return [`${instanceId}: could not describe its workflow: ${err instanceof Error ? err.message : String(err)}`];
  }
}

async function settle(stack: FaultStack, expected: ExpectedInstance[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ids = expected.map((e) => e.instanceId);
  const actedSources = new Set(expected.flatMap((e) => e.actedTasks.map((task) => outTrackIdOf(e.instanceId, task))));
  while (Date.now() < deadline) {
    const open =
      ids.length === 0
        ? []
        : await stack.db.db
            .select({ id: instanceRows.instanceId })
            .from(instanceRows)
            .where(and(inArray(instanceRows.instanceId, ids), sql`${instanceRows.status} in ('running', 'compensating')`));
    const completed = new Set(
      stack.erp.state
        .events()
        .filter((e) => e.type === 'approval.completed')
        .map((e) => e.body.instance.instanceId),
    );
    const todosOpen = stack.dingtalk.state.todoBook.all().filter((t) => !t.done && t.sourceId !== undefined && actedSources.has(t.sourceId));
    if (open.length === 0 && ids.every((id) => completed.has(id)) && todosOpen.length === 0) return;
    await sleep(500);
  }
}

export async function verify(
  stack: FaultStack,
  expected: ExpectedInstance[],
  options: { stuck?: number; traffic?: Traffic[]; settleMs?: number; budget?: boolean } = {},
): Promise<Verdict> {
  await settle(stack, expected, options.settleMs ?? 120_000);
  const problems: string[] = [];
  const verdict: Verdict = {
    instances: expected.length,
    wrongFinalStates: options.stuck ?? 0,
    lostSideEffects: 0,
    duplicatedSideEffects: 0,
    drift: 0,
    orphanTasks: 0,
    internalErrors: 0,
    crashes: 0,
    redeliveries: 0,
    undelivered: 0,
    problems,
  };
  const traffic = new Traffic();
  const events = stack.erp.state.events();
  const reservations = stack.erp.state.budget().reservations;
  const dingtalk = stack.dingtalk.state;
  const todosBySource = new Map<string, ReturnType<typeof dingtalk.todoBook.all>>();
  for (const todo of dingtalk.todoBook.all()) todosBySource.set(todo.sourceId ?? '', [...(todosBySource.get(todo.sourceId ?? '') ?? []), todo]);

  for (const instance of expected) {
    const { instanceId } = instance;
    const problemsBefore = problems.length;
    const view = (await callWithRetry<InstanceView>(stack.api, traffic, 'GET', instancePath(instanceId))).body;
    const [row] = await stack.db.db
      .select({ status: instanceRows.status })
      .from(instanceRows)
      .where(inArray(instanceRows.instanceId, [instanceId]));
    if (view.status !== instance.expected || row?.status !== instance.expected) {
      verdict.wrongFinalStates += 1;
      problems.push(`${instanceId}: ${view.status} (projection ${row?.status}), expected ${instance.expected}`);
    }
    const timeline = (await callWithRetry<TimelineView>(stack.api, traffic, 'GET', `${instancePath(instanceId)}/timeline`)).body.events;
    const completions = (type: string, key: (e: (typeof timeline)[number]) => string | undefined) => {
      const seen = new Map<string, number>();
      for (const e of timeline) if (e.type === type) seen.set(key(e) ?? '', (seen.get(key(e) ?? '') ?? 0) + 1);
      return seen;
    };
    for (const [task, n] of completions('task_completed', (e) => e.taskId)) {
      if (n > 1) {
        verdict.duplicatedSideEffects += n - 1;
        problems.push(`${instanceId}: task ${task} completed ${n} times on the timeline`);
      }
    }
    const ended = completions('instance_completed', () => 'end').get('end') ?? 0;
    if (ended > 1) {
      verdict.duplicatedSideEffects += ended - 1;
      problems.push(`${instanceId}: instance_completed ${ended} times`);
    }

    // Webhooks: one eventId per change; a change sent under two eventIds is a duplicate, a missing one is lost.
    const mine = events.filter((e) => e.body.instance.instanceId === instanceId);
    verdict.redeliveries += mine.reduce((sum, e) => sum + e.deliveries - 1, 0);
    const changes = new Map<string, number>();
    for (const e of mine) {
      const change = `${e.type}:${e.body.task?.taskId ?? ''}:${e.body.task?.status ?? ''}`;
      changes.set(change, (changes.get(change) ?? 0) + 1);
    }
    for (const [change, n] of changes) {
      if (n > 1) {
        verdict.duplicatedSideEffects += n - 1;
        problems.push(`${instanceId}: webhook ${change} under ${n} eventIds`);
      }
    }
    const wanted = [`approval.completed::`, ...instance.actedTasks.flatMap((task) => [`approval.task.created:${task}:pending`])];
    for (const task of instance.actedTasks) {
      const status = view.tasks.find((t) => t.taskId === task)?.status;
      wanted.push(`approval.task.completed:${task}:${status}`);
    }
    for (const change of wanted) {
      if (!changes.has(change)) {
        verdict.lostSideEffects += 1;
        problems.push(`${instanceId}: webhook ${change} never received`);
      }
    }

    // The budget: one reservation, released when rejected.
    const held = options.budget === false ? [] : reservations.filter((r) => r.businessKey === instance.businessKey);
    if (options.budget === false) {
      // These flows have no service node.
    } else if (held.length === 0) {
      verdict.lostSideEffects += 1;
      problems.push(`${instanceId}: no budget reservation`);
    } else if (held.length > 1) {
      verdict.duplicatedSideEffects += held.length - 1;
      problems.push(`${instanceId}: ${held.length} budget reservations`);
    }
    const wantStatus = instance.expected === 'rejected' ? 'released' : 'reserved';
    if (held.length > 0 && held.some((r) => r.status !== wantStatus)) {
      verdict.lostSideEffects += 1;
      problems.push(`${instanceId}: budget ${held.map((r) => r.status).join(',')}, expected ${wantStatus}`);
    }

    // DingTalk: a card or todo exists only if its task was still pending when the channel caught
    // up; where one exists it must show the task as it ended (no live buttons, the todo done).
    for (const task of view.tasks) {
      const sourceId = outTrackIdOf(instanceId, task.taskId);
      const card = dingtalk.cards.get(sourceId);
      const open = task.status === 'pending' || task.status === 'waiting';
      if (card) {
        const params = dingtalk.paramsFor(card, card.userIds[0]!);
        const actionable = String(task.status === 'pending' && view.status === 'running');
        if (params.status !== task.status || params.actionable !== actionable) {
          verdict.lostSideEffects += 1;
          problems.push(`${instanceId}: card of ${task.taskId} shows ${params.status}/${params.actionable}, task is ${task.status}`);
        }
      } else verdict.undelivered += 1;
      const todos = todosBySource.get(sourceId) ?? [];
      if (todos.length > 1) {
        verdict.duplicatedSideEffects += todos.length - 1;
        problems.push(`${instanceId}: ${todos.length} todos of ${task.taskId}`);
      }
      if (todos.some((t) => t.done === open)) {
        verdict.lostSideEffects += 1;
        problems.push(`${instanceId}: the todo of ${task.taskId} is ${open ? 'done' : 'open'}, task is ${task.status}`);
      }
    }

    const drift = await withQueryRetries(() => compareInstance({ db: stack.db.db, temporal: stack.temporal, taskQueue: stack.taskQueue }, instanceId));
    verdict.drift += drift.length;
    for (const d of drift) problems.push(`${instanceId}: drift ${d.kind} ${d.field ?? ''} ${d.taskId ?? ''}`);
    if (problems.length > problemsBefore) problems.push(...(await whereItStands(stack, instanceId)));
  }

  const report = await withQueryRetries(() => checkDrift({ db: stack.db.db, temporal: stack.temporal, taskQueue: stack.taskQueue }));
  verdict.drift += report.differences.length;
  const ids = expected.map((e) => e.instanceId);
  if (ids.length > 0) {
    const orphans = await stack.db.db
      .select({ id: taskRows.taskId, instanceId: taskRows.instanceId })
      .from(taskRows)
      .innerJoin(instanceRows, sql`${instanceRows.instanceId} = ${taskRows.instanceId}`)
      .where(and(inArray(taskRows.instanceId, ids), inArray(taskRows.status, ['pending', 'waiting']), ne(instanceRows.status, 'running')));
    verdict.orphanTasks += orphans.length;
    for (const o of orphans) problems.push(`${o.instanceId}: task ${o.id} still open`);
    const dead = await stack.db.db.select({ eventId: webhookDeadLetters.eventId }).from(webhookDeadLetters).where(inArray(webhookDeadLetters.instanceId, ids));
    verdict.lostSideEffects += dead.length;
    for (const d of dead) problems.push(`webhook ${d.eventId} went to the dead letters`);
  }
  for (const t of [...(options.traffic ?? []), traffic]) verdict.internalErrors += t.byStatus.get(500) ?? 0;
  return verdict;
}
