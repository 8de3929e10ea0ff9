import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { act, assigneesDeparted, checkAction, compensationRetryRefusal, holdsOpenTasks, retryFailedCompensations, type Refusal } from '../engine/instance';
import { toInstanceView, toTimelineView } from '../engine/instance-view';
import type { InstanceRun } from './instance-run';
import { actUpdate, assigneesDepartedSignal, instanceViewQuery, retryCompensationsUpdate, timelineQuery } from './messages';
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

  setHandler(
    actUpdate,
    async (action) => {
      if (recent.has(action.actionId)) return recent.answerTo(action.actionId, () => toInstanceView(run.state));
      run.apply(act(run.state, action, now()));
      recent.applied(action.actionId);
      await condition(() => run.isSettled());
      const answer = toInstanceView(run.state);
      recent.answered(action.actionId, answer);
      return answer;
    },
    {
      validator: (action) => {
        if (recent.has(action.actionId)) return;
        const check = checkAction(run.state, action, now());
        if (!check.ok) throw refusalFailure(check.refusal);
      },
    },
  );

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
