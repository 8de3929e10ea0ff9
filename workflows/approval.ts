import { allHandlersFinished, condition, makeContinueAsNewFunc, patched, workflowInfo } from '@temporalio/workflow';
import { isFinalStatus, nextDeadline, startInstance, timersDue } from '../engine/instance';
import { toInstanceView, type InstanceView } from '../engine/instance-view';
import { DeadlineTimer } from './deadline-timer';
import { serveMessages } from './handlers';
import { InstanceRun } from './instance-run';
import { RecentActions } from './recent-actions';
import type { ApprovalWorkflowInput, LegacyContinuation } from './run-input';
import { Visibility } from './visibility';

/**
 * Since this patch instances are projected to Postgres and publish search attributes only once
 * the commands of a change have run; earlier ones replay without both. One patch for both: each
 * `patched()` costs two history events (a marker and a search attribute upsert).
 */
const PROJECTION_PATCH = 'postgres-projection';

/** Sequential turns look their assignee up when they begin (instances started before this keep the list from the node's entry). */
const TURN_LOOKUPS_PATCH = 'sequential-turn-lookups';

/**
 * While the last webhooks go out, a DingTalk report (a notice or card that could not be
 * delivered) changes the instance; the outbox sends only what the projection shows, so the run
 * writes it. Before this, the run waited for the outbox alone and the two waited on each other
 * for good. Asked only when that happens, so no other history carries its marker.
 */
const OUTBOX_PROJECTION_PATCH = 'project-while-outbox-drains';

/**
 * An update that comes in while the run waits for its handlers before continue-as-new has
 * commands to run; the run goes back to its loop for them. Before this, the handler waited for
 * them to be carried out and the run for the handler. Asked only when that happens.
 */
const CONTINUE_AS_NEW_PATCH = 'back-to-work-before-continue-as-new';

/**
 * Instances started since this patch look approvers up by local activity (in the workflow task of
 * the change, so an action answers with the next task) and have every earlier patch's behaviour
 * without asking for it: one marker and one search attribute upsert instead of two of each.
 */
const LOCAL_LOOKUPS_PATCH = 'local-lookups';

/** Continue-as-new past this many history events (Temporal's own suggestion may come earlier). */
export const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * One approval instance: a thin loop around the pure engine. Messages (handlers.ts) change the
 * state; the loop publishes visibility, writes the projection, arms the deadline timer, carries out
 * the engine's commands and continues-as-new when the history grows long.
 */
export async function approvalWorkflow(input: ApprovalWorkflowInput, ...legacy: LegacyContinuation): Promise<InstanceView> {
  const { run, recent } = beginRun(input, legacy);
  serveMessages(run, recent);
  const visibility = new Visibility(run.state, run.state.features?.settledVisibility === true);
  const timer = new DeadlineTimer();
  for (;;) {
    visibility.update(run.state, run.revision, run.hasCommands());
    // Projection first, then the world: written before the workflow waits or sends a notice.
    if (!run.hasCommands() && run.projectionDue()) {
      await run.project();
      continue;
    }
    // compensating and compensation_failed are not the end: the saga (or ops) still has work.
    if (isFinalStatus(run.state.status) && !run.hasCommands()) break;
    timer.arm(run.state.status === 'running' ? nextDeadline(run.state) : undefined);
    if (run.isIdle() && historyIsLong(run)) {
      timer.arm(undefined);
      await condition(() => allHandlersFinished() || !run.isIdle());
      if (!allHandlersFinished() && !patched(CONTINUE_AS_NEW_PATCH)) await condition(allHandlersFinished);
      if (run.isIdle() && allHandlersFinished()) await continueAsNew(run, recent);
    }
    await condition(() => run.hasCommands() || visibility.isBehind(run.revision) || timer.due());
    if (timer.due()) {
      timer.consume();
      run.apply(timersDue(run.state, new Date().toISOString()));
    }
    await run.executeCommands();
  }
  timer.arm(undefined);
  await drainOutbox(run);
  if (run.state.approverChannel) await projectUntil(run, () => run.channel.isIdle());
  await condition(allHandlersFinished);
  return toInstanceView(run.state);
}

/** A new instance, or the one continue-as-new carried over (in today's shape or the one before). */
function beginRun(input: ApprovalWorkflowInput, [legacyState, legacyAnswers]: LegacyContinuation): { run: InstanceRun; recent: RecentActions } {
  if ('continued' in input) return { run: new InstanceRun(input.continued.state, true), recent: RecentActions.carried(input.continued.recentActions) };
  if (legacyState) {
    const { recentActionIds = [], ...state } = legacyState;
    return { run: new InstanceRun(state, true), recent: RecentActions.carried({ ids: recentActionIds, answers: legacyAnswers ?? [] }) };
  }
  // Asked first: a history from before it has no marker for it and goes on to ask the older patches.
  const localLookups = patched(LOCAL_LOOKUPS_PATCH);
  const turnLookups = localLookups || patched(TURN_LOOKUPS_PATCH);
  const projection = localLookups || patched(PROJECTION_PATCH);
  const features = { turnLookups, projection, settledVisibility: projection, ...(localLookups ? { localLookups } : {}) };
  const started = startInstance(input, new Date().toISOString(), features);
  const run = new InstanceRun(started.state, false);
  run.take(started.commands);
  return { run, recent: RecentActions.carried() };
}

/** The last webhooks go out before the workflow ends (see OUTBOX_PROJECTION_PATCH). */
async function drainOutbox(run: InstanceRun): Promise<void> {
  await condition(() => run.outbox.isIdle() || run.projectionDue());
  if (run.outbox.isIdle()) return;
  if (!patched(OUTBOX_PROJECTION_PATCH)) return condition(() => run.outbox.isIdle());
  await projectUntil(run, () => run.outbox.isIdle());
}

/** Waits for `done`, writing the projection whenever a change makes it due (the last cards, todos and notices report problems that way). */
async function projectUntil(run: InstanceRun, done: () => boolean): Promise<void> {
  for (;;) {
    await condition(() => done() || run.projectionDue());
    if (!run.projectionDue()) return;
    await run.project();
  }
}

function historyIsLong(run: InstanceRun): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= (run.state.historyLimit ?? DEFAULT_HISTORY_LIMIT);
}

/** The next run starts from this state, with the same memo and the search attributes as they are now. */
function continueAsNew(run: InstanceRun, recent: RecentActions): Promise<never> {
  const info = workflowInfo();
  return makeContinueAsNewFunc<typeof approvalWorkflow>({ memo: info.memo, typedSearchAttributes: info.typedSearchAttributes })({
    continued: { state: run.state, recentActions: recent.snapshot() },
  });
}
