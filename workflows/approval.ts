import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  makeContinueAsNewFunc,
  patched,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { ApprovalActivities } from '../activities';
import type { Assignment } from '../engine/assignment';
import {
  act,
  assigneesDeparted,
  checkAction,
  compensationDone,
  compensationRetryRefusal,
  currentAssignees,
  currentNodeIds,
  holdsOpenTasks,
  isRepeatedAction,
  lookupAnswered,
  isFinalStatus,
  nextDeadline,
  retryFailedCompensations,
  serviceCallAnswered,
  startInstance,
  timersDue,
  writeBackDone,
  type Command,
  type InstanceState,
  type RetryLimits,
  type ServiceResult,
  type StartInstanceInput,
  type Transition,
  type WebhookEvent,
} from '../engine/instance';
import { toInstanceView, toTimelineView, type InstanceView } from '../engine/instance-view';
import { markAfter, nextProjection, NOTHING_PROJECTED } from '../engine/projection';
import type { TemplateContext } from '../integrations/erp/templates';
import { finalFailureTypes, retryPolicies, searchAttributes } from '../temporal-config';
import { actUpdate, assigneesDepartedSignal, instanceViewQuery, retryCompensationsUpdate, timelineQuery } from './messages';

const { resolveApprovers, notify } = proxyActivities<ApprovalActivities>({
  startToCloseTimeout: '30s',
  retry: retryPolicies.database,
});

/** Short, idempotent Postgres writes: local activities, so they cost one marker event each. */
const { projectInstance, deadLetterWebhook } = proxyLocalActivities<ApprovalActivities>({
  startToCloseTimeout: '10s',
  retry: retryPolicies.database,
});

/** Retry limits of the ERP-facing activities, unless the start input shortens them. */
const DEFAULT_RETRIES = {
  /** ~2 minutes of trying before a service node fails the instance. */
  service: { maximumAttempts: 8, initialIntervalMs: 1_000, maximumIntervalMs: 60_000 },
  /** ~1 hour before a compensation is given up (the instance then waits for ops). */
  compensation: { maximumAttempts: 20, initialIntervalMs: 1_000, maximumIntervalMs: 300_000 },
  /** ~3 hours before a webhook goes to the dead-letter table. */
  webhook: { maximumAttempts: 15, initialIntervalMs: 1_000, maximumIntervalMs: 900_000 },
  writeBack: { maximumAttempts: 10, initialIntervalMs: 1_000, maximumIntervalMs: 300_000 },
} satisfies Record<string, RetryLimits>;

function retryPolicy(limits: RetryLimits, nonRetryableErrorTypes: string[]): RetryPolicy {
  return {
    initialInterval: limits.initialIntervalMs,
    backoffCoefficient: 2,
    maximumInterval: limits.maximumIntervalMs ?? Math.max(limits.initialIntervalMs, 60_000),
    maximumAttempts: limits.maximumAttempts,
    nonRetryableErrorTypes,
  };
}

/** The ERP and webhook activities, with this instance's retry limits. */
function erpActivities(input: StartInstanceInput) {
  const retries = input.retries ?? {};
  const erp = (limits: RetryLimits) => proxyActivities<ApprovalActivities>({ startToCloseTimeout: '30s', retry: retryPolicy(limits, finalFailureTypes.erp) });
  return {
    callService: erp(retries.service ?? DEFAULT_RETRIES.service).callErpOperation,
    compensate: erp(retries.compensation ?? DEFAULT_RETRIES.compensation).callErpOperation,
    writeBack: erp(retries.writeBack ?? DEFAULT_RETRIES.writeBack).writeBackToErp,
    deliverWebhook: proxyActivities<ApprovalActivities>({
      startToCloseTimeout: '30s',
      retry: retryPolicy(retries.webhook ?? DEFAULT_RETRIES.webhook, finalFailureTypes.webhook),
    }).deliverWebhook,
  };
}
type ErpActivities = ReturnType<typeof erpActivities>;

/**
 * Instances started before this patch are not projected to Postgres (the drift check reports
 * them) and upsert search attributes on every change. Since it, search attributes are upserted
 * only once the commands of a change have run (not for the passing state while the next approver
 * is looked up), and not when they still hold what the start or the previous run set. One patch
 * for both: each `patched()` costs two history events (a marker and a search attribute upsert).
 */
const PROJECTION_PATCH = 'postgres-projection';

/** Sequential turns look their assignee up when they begin (instances started before this keep the list from the node's entry). */
const TURN_LOOKUPS_PATCH = 'sequential-turn-lookups';

/** An action id and the view it was answered with. Older repeats (beyond this many actions) get the current view. */
type RecentAnswer = [actionId: string, answer: InstanceView];
const RECENT_ANSWERS = 20;

/** Continue-as-new past this many history events (Temporal's own suggestion may come earlier). */
export const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * One approval instance. A thin loop around the pure engine: actions arrive as updates, are
 * checked by a validator (a refusal leaves nothing in history), applied by the engine, and
 * the engine's commands are carried out here by activities. Task deadlines are one timer,
 * re-armed only when the earliest deadline changes. `resumed` is the state carried across
 * continue-as-new.
 */
export async function approvalWorkflow(input: StartInstanceInput, resumed?: InstanceState, resumedAnswers?: RecentAnswer[]): Promise<InstanceView> {
  const now = () => new Date().toISOString();
  let state: InstanceState;
  const commands: Command[] = [];
  /** Webhooks waiting to be sent, in order; they go out apart from the rest, so a slow receiver holds nothing up. */
  const outbox: WebhookEvent[] = [];
  let delivering = false;
  const erp = erpActivities(input);
  const take = (emitted: Command[]) => {
    for (const command of emitted) {
      if (command.type === 'webhook') outbox.push(command.event);
      else commands.push(command);
    }
    if (outbox.length > 0 && !delivering) void drainOutbox();
  };
  if (resumed) {
    state = resumed;
  } else {
    const turnLookups = patched(TURN_LOOKUPS_PATCH);
    const projection = patched(PROJECTION_PATCH);
    const started = startInstance(input, now(), { turnLookups, projection, settledVisibility: projection });
    state = started.state;
    take(started.commands);
  }
  /** The answers to the latest actions, so a repeat after continue-as-new still gets its first answer. */
  const answers: RecentAnswer[] = resumedAnswers ?? [];
  let executing = false;
  /** Bumped by every transition, so the loop republishes visibility after any change. */
  let revision = 0;

  const apply = (transition: Transition) => {
    state = transition.state;
    take(transition.commands);
    revision++;
  };
  /** The revision last written to Postgres; a resumed run starts where the previous one left it. */
  let projectedRevision = resumed ? revision : -1;
  /** Task fingerprints as last written, so a write carries only the tasks that changed. */
  let writtenTasks = new Map<string, string>();
  const projectionDue = () => state.features?.projection === true && projectedRevision !== revision;
  const project = async () => {
    const at = revision;
    const mark = state.projected ?? NOTHING_PROJECTED;
    const { write, fingerprints } = nextProjection(state, mark, writtenTasks);
    await projectInstance(write);
    projectedRevision = at;
    writtenTasks = fingerprints;
    state = { ...state, projected: markAfter(write, mark) };
  };
  /** Nothing left to do for what has happened: commands carried out and the projection written. */
  const settled = () => commands.length === 0 && !executing && !projectionDue();

  /** Sends the queued webhooks one by one, each once the projection shows what it announces. */
  async function drainOutbox(): Promise<void> {
    delivering = true;
    try {
      while (outbox.length > 0) {
        await condition(() => !projectionDue());
        const event = outbox[0]!;
        const delivery = { url: state.callbackUrl!, appKey: state.appKey, event };
        try {
          await erp.deliverWebhook.executeWithOptions({ summary: `webhook ${event.type} → ${delivery.url}` }, [delivery]);
        } catch (err) {
          const failure = failureOf(err);
          await deadLetterWebhook({ delivery, error: failure.error, ...(failure.status !== undefined ? { statusCode: failure.status } : {}) });
        }
        outbox.shift();
      }
    } finally {
      delivering = false;
    }
  }

  setHandler(instanceViewQuery, () => toInstanceView(state));
  setHandler(timelineQuery, () => toTimelineView(state));
  setHandler(
    actUpdate,
    async (action) => {
      // Temporal dedupes an update id within a run; this covers a repeat after continue-as-new.
      if (isRepeatedAction(state, action.actionId)) {
        return answers.find(([actionId]) => actionId === action.actionId)?.[1] ?? toInstanceView(state);
      }
      apply(act(state, action, now()));
      // Answer with the settled view: after the commands this action caused have run.
      await condition(settled);
      const answer = toInstanceView(state);
      answers.push([action.actionId, answer]);
      if (answers.length > RECENT_ANSWERS) answers.splice(0, answers.length - RECENT_ANSWERS);
      return answer;
    },
    {
      validator: (action) => {
        if (isRepeatedAction(state, action.actionId)) return;
        const refusal = checkAction(state, action, now());
        if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
      },
    },
  );

  setHandler(
    retryCompensationsUpdate,
    async ({ actorId }: { actorId: string }) => {
      apply(retryFailedCompensations(state, actorId, now()));
      await condition(settled);
      return toInstanceView(state);
    },
    {
      validator: (_request: { actorId: string }) => {
        const refusal = compensationRetryRefusal(state);
        if (refusal) throw ApplicationFailure.create({ type: 'INSTANCE_NOT_COMPENSATION_FAILED', message: refusal, nonRetryable: true });
      },
    },
  );

  // An org push deactivated these users; a repeat (or users holding nothing here) changes nothing.
  setHandler(assigneesDepartedSignal, ({ userIds }) => {
    if (holdsOpenTasks(state, userIds)) apply(assigneesDeparted(state, userIds, now()));
  });

  const settledVisibility = state.features?.settledVisibility === true;
  const fingerprintOf = (status: string, assignees: string[]) => JSON.stringify([status, assignees]);
  // The start set status `running` and no assignees (as the fresh state has); continue-as-new carried the last values.
  let published = settledVisibility ? fingerprintOf(state.status, currentAssignees(state)) : '';
  const publishVisibility = () => {
    const assignees = currentAssignees(state);
    // Current details are metadata served by a query, not a history event: always brought up to date.
    setCurrentDetails(currentDetails(state, assignees));
    const fingerprint = fingerprintOf(state.status, assignees);
    if (fingerprint === published) return;
    published = fingerprint;
    upsertSearchAttributes([
      { key: searchAttributes.status, value: state.status },
      { key: searchAttributes.assignees, value: assignees },
    ]);
  };

  const timer = deadlineTimer();
  const historyLimit = state.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;

  let publishedRevision = -1;
  for (;;) {
    if (publishedRevision !== revision && (!settledVisibility || commands.length === 0)) {
      publishedRevision = revision;
      publishVisibility();
    }
    // Projection first, then the world: written before the workflow waits or sends a notice.
    if (commands.length === 0 && projectionDue()) {
      await project();
      continue;
    }
    // compensating and compensation_failed are not the end: the saga (or ops) still has work.
    if (isFinalStatus(state.status) && commands.length === 0) break;
    timer.arm(state.status === 'running' ? nextDeadline(state) : undefined);
    if (settled() && outbox.length === 0 && shouldContinueAsNew()) {
      timer.arm(undefined);
      await condition(allHandlersFinished);
      if (settled() && outbox.length === 0) await continueAsNewCarrying(input, state, answers);
    }
    await condition(() => commands.length > 0 || revision !== publishedRevision || timer.due());
    if (timer.due()) {
      timer.consume();
      apply(timersDue(state, now()));
    }
    while (commands.length > 0) {
      // Written before the world hears of it (a notice, an ERP call): lookups alone do not wait for it.
      if (commands[0]!.type !== 'resolve' && projectionDue()) await project();
      const command = commands.shift()!;
      executing = true;
      try {
        // The lookup may take a while, and actions keep arriving: its answer applies to the state as it is then.
        const transition = await execute(command, () => state, erp);
        if (transition) apply(transition);
      } finally {
        executing = false;
      }
    }
  }
  timer.arm(undefined);
  await condition(() => outbox.length === 0 && !delivering);
  await condition(allHandlersFinished);
  return toInstanceView(state);
}

/** The next run starts from this state, with the same memo and the search attributes as they are now. */
function continueAsNewCarrying(input: StartInstanceInput, state: InstanceState, answers: RecentAnswer[]): Promise<never> {
  const info = workflowInfo();
  return makeContinueAsNewFunc<typeof approvalWorkflow>({ memo: info.memo, typedSearchAttributes: info.typedSearchAttributes })(input, state, answers);
}

/** One durable timer for the earliest task deadline; untouched while that deadline stays the same. */
function deadlineTimer() {
  let armedAt: string | undefined;
  let scope: CancellationScope | undefined;
  let fired = false;
  return {
    arm(at: string | undefined) {
      if (at === armedAt) return;
      scope?.cancel();
      scope = undefined;
      armedAt = at;
      fired = false;
      if (at === undefined) return;
      const ms = Math.max(1, Date.parse(at) - Date.now());
      const current = new CancellationScope();
      scope = current;
      current
        .run(() => sleep(ms))
        .then(
          () => {
            if (scope === current) fired = true;
          },
          (err: unknown) => {
            if (!isCancellation(err)) throw err;
          },
        );
    },
    due: () => fired,
    consume() {
      fired = false;
      armedAt = undefined;
      scope = undefined;
    },
  };
}

/** Histories recorded before approver lookups returned assignments held plain user ids. */
function asAssignments(result: Array<Assignment | string>): Assignment[] {
  return result.map((entry) => (typeof entry === 'string' ? { userId: entry } : entry));
}

/** What a failed activity (after its retries) said, for the timeline and the dead-letter table. */
function failureOf(err: unknown): { error: string; status?: number } {
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const status = (cause.details?.[0] as { status?: unknown } | undefined)?.status;
    return { error: cause.message, ...(typeof status === 'number' ? { status } : {}) };
  }
  return { error: cause?.message ?? err.message };
}

async function erpResult(call: () => Promise<{ status: number; response?: unknown }>): Promise<ServiceResult> {
  try {
    const answer = await call();
    return { ok: true, status: answer.status, ...(answer.response !== undefined ? { response: answer.response } : {}) };
  } catch (err) {
    return { ok: false, ...failureOf(err) };
  }
}

/** What `{{…}}` templates in ERP paths and bodies can refer to. */
function templateContext(state: InstanceState): TemplateContext {
  return {
    form: state.form,
    instance: { id: state.instanceId },
    businessKey: state.businessKey,
    ...(state.source ? { source: state.source } : {}),
    status: state.status,
  };
}

async function execute(command: Command, current: () => InstanceState, erp: ErpActivities): Promise<Transition | undefined> {
  const state = current();
  switch (command.type) {
    case 'resolve': {
      const { purpose } = command;
      const summary =
        purpose.kind === 'node' || purpose.kind === 'node_admins' || purpose.kind === 'turn'
          ? `resolve ${purpose.kind === 'turn' ? 'the next turn' : 'approvers'} of ${nodeIdOfRun(state, purpose.runId)}${purpose.kind === 'node_admins' ? ' (admins)' : ''}`
          : purpose.kind === 'cc'
            ? `resolve cc recipients of ${purpose.nodeId}`
            : purpose.kind === 'handover'
              ? `resolve the admins who take over task ${purpose.taskId} (assignee left)`
              : `resolve escalation target of task ${purpose.taskId}`;
      const result = await resolveApprovers.executeWithOptions({ summary }, [command.request]);
      return lookupAnswered(current(), purpose, asAssignments(result), new Date().toISOString());
    }
    case 'notify': {
      const { notification } = command;
      await notify.executeWithOptions({ summary: `${notification.kind} → ${notification.recipients.join(', ')}` }, [
        { ...notification, instanceId: state.instanceId },
      ]);
      return undefined;
    }
    case 'service': {
      const { call, ref, idempotencyKey } = command;
      const result = await erpResult(() =>
        erp.callService.executeWithOptions({ summary: `${call.system}.${call.operation} (service node ${ref.nodeId})` }, [
          { call, idempotencyKey, context: templateContext(state) },
        ]),
      );
      return serviceCallAnswered(current(), ref, result, new Date().toISOString());
    }
    case 'compensate': {
      const { call, nodeId, idempotencyKey } = command;
      // An undo must finish even if the workflow is cancelled meanwhile.
      const result = await CancellationScope.nonCancellable(() =>
        erpResult(() =>
          erp.compensate.executeWithOptions({ summary: `compensate ${nodeId}: ${call.system}.${call.operation}` }, [
            { call, idempotencyKey, context: templateContext(state) },
          ]),
        ),
      );
      return compensationDone(current(), nodeId, result, new Date().toISOString());
    }
    case 'write_back': {
      const system = state.source!.system;
      let result;
      try {
        const answer = await erp.writeBack.executeWithOptions({ summary: `write-back to ${system} (${command.status})` }, [
          { system, idempotencyKey: command.idempotencyKey, context: templateContext(state) },
        ]);
        result = 'skipped' in answer ? { ok: 'skipped' as const, reason: answer.skipped } : { ok: true as const, status: answer.status };
      } catch (err) {
        result = { ok: false as const, ...failureOf(err) };
      }
      return writeBackDone(current(), result, new Date().toISOString());
    }
    case 'webhook':
      throw new Error('webhooks go through the outbox, not the command loop');
  }
}

function nodeIdOfRun(state: InstanceState, runId: number): string {
  return [...state.runs, ...state.completedRuns].find((r) => r.runId === runId)?.nodeId ?? `run ${runId}`;
}

function currentDetails(state: InstanceState, assignees: string[]): string {
  if (state.status !== 'running') return `**${state.status}** at ${state.completedAt ?? ''}`;
  if (state.awaitingResubmit) return `**running** — returned to the initiator ${state.initiatorId}, waiting for resubmit`;
  const nodes = currentNodeIds(state)
    .map((id) => state.definition.nodes.find((n) => n.id === id))
    .map((n) => (n ? `${n.name ?? n.id} (\`${n.id}\`)` : ''))
    .join(', ');
  return `**running** — waiting at ${nodes || 'a node being prepared'}; assignees: ${assignees.join(', ') || '—'}`;
}
