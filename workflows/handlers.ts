import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  act,
  assigneesDeparted,
  checkAction,
  compensationRetryRefusal,
  holdsOpenTasks,
  reassign,
  reassignRefusal,
  retryFailedCompensations,
  terminate,
  terminationRefusal,
  type Refusal,
  type Transition,
} from '../engine/instance';
import { toInstanceView, toTimelineView, type InstanceView } from '../engine/instance-view';
import type { InstanceRun } from './instance-run';
import { actUpdate, assigneesDepartedSignal, instanceViewQuery, reassignUpdate, retryCompensationsUpdate, terminateUpdate, timelineQuery } from './messages';
import type { RecentActions } from './recent-actions';

const now = () => new Date().toISOString();

/** A refusal as the update's failure: its code is the failure type the API maps to a status. */
function refusalFailure(refusal: Refusal): ApplicationFailure {
  return ApplicationFailure.create({
    type: refusal.code,
    message: refusal.message,
    nonRetryable: true,
    ...(refusal.details ? { details: [refusal.details] } : {}),
  });
}

/**
 * The instance's messages: queries read the state; updates are checked by a validator (a refusal
 * leaves nothing in history) and answer with the view once the commands they caused have run.
 */
export function serveMessages(run: InstanceRun, recent: RecentActions): void {
  setHandler(instanceViewQuery, () => toInstanceView(run.state));
  setHandler(timelineQuery, () => toTimelineView(run.state));

  serveIdempotently(run, recent, actUpdate, {
    key: (action) => action.actionId,
    refusal: (action) => {
      const check = checkAction(run.state, action, now());
      return check.ok ? undefined : check.refusal;
    },
    apply: (action) => act(run.state, action, now()),
  });
  // Admin intervention: keyed apart from action ids, so a request id can never answer as an action.
  serveIdempotently(run, recent, terminateUpdate, {
    key: (request) => `terminate:${request.requestId}`,
    refusal: () => terminationRefusal(run.state),
    apply: (request) => terminate(run.state, request, now()),
  });
  serveIdempotently(run, recent, reassignUpdate, {
    key: (request) => `reassign:${request.requestId}`,
    refusal: (request) => reassignRefusal(run.state, request),
    apply: (request) => reassign(run.state, request, now()),
  });

  setHandler(
    retryCompensationsUpdate,
    async ({ actorId }) => {
      run.apply(retryFailedCompensations(run.state, actorId, now()));
      await condition(() => run.isSettled());
      return toInstanceView(run.state);
    },
    {
      validator: (_request: { actorId: string }) => {
        const refusal = compensationRetryRefusal(run.state);
        if (refusal) throw refusalFailure(refusal);
      },
    },
  );

  // An org push deactivated these users; a repeat (or users holding nothing here) changes nothing.
  setHandler(assigneesDepartedSignal, ({ userIds }) => {
    if (holdsOpenTasks(run.state, userIds)) run.apply(assigneesDeparted(run.state, userIds, now()));
  });
}

/**
 * An update applied once per key, across continue-as-new: a repeat answers what the first got and
 * changes nothing; a refusal (checked by the validator) leaves nothing in history. The answer is
 * the view once the commands the change caused have run.
 */
function serveIdempotently<Arg>(
  run: InstanceRun,
  recent: RecentActions,
  update: UpdateDefinition<InstanceView, [Arg]>,
  handling: { key: (arg: Arg) => string; refusal: (arg: Arg) => Refusal | undefined; apply: (arg: Arg) => Transition },
): void {
  setHandler(
    update,
    async (arg) => {
      const key = handling.key(arg);
      if (recent.has(key)) return recent.answerTo(key, () => toInstanceView(run.state));
      run.apply(handling.apply(arg));
      recent.applied(key);
      await condition(() => run.isSettled());
      const answer = toInstanceView(run.state);
      recent.answered(key, answer);
      return answer;
    },
    {
      validator: (arg) => {
        if (recent.has(handling.key(arg))) return;
        const refusal = handling.refusal(arg);
        if (refusal) throw refusalFailure(refusal);
      },
    },
  );
}
