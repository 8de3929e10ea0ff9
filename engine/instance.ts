import { checkAction } from './action-check';
import type { ActionRequest } from './action-request';
import { applyAction } from './actions';
import { openRun, openRunWithAdmins, openTurn } from './approval-run';
import type { Assignment } from './assignment';
import { departedTasks, handOverDeparted, handoverResolved } from './departures';
import { enterNode, startNodeOf } from './routing';
import { refuse, type Refusal } from './refusals';
import { compensationAnswered, retryCompensations, writeBackAnswered, type ServiceResult, type WriteBackResult } from './saga';
import { serviceAnswered } from './service-nodes';
import type { InstanceState, ResolvePurpose, ServiceCallInFlight, StartInstanceInput, Transition } from './state';
import { transition } from './step';
import { escalationResolved, fireDueTimers } from './timers';

/**
 * Instance semantics as pure functions: (state, event) → new state + commands. No I/O, no
 * clock, no randomness — the workflow runs these deterministically and passes `now`.
 */

export type * from './action-request';
export { checkAction, type ActionCheck, type ActionPlan } from './action-check';
export { channelReported, type ChannelProblem } from './channel-reports';
export { REFUSAL_CODES, type Refusal, type RefusalCode } from './refusals';
export { nextDeadline } from './timers';
export { reassign, reassignRefusal, terminate, terminationRefusal, type ReassignRequest, type TerminateRequest } from './interventions';
export { isFinalStatus } from './state';
export type * from './state';
export type { ServiceResult, WriteBackResult } from './saga';
export type { WebhookEvent, WebhookType } from './webhook-events';

export function startInstance(input: StartInstanceInput, now: string, features: InstanceState['features'] = {}): Transition {
  const state: InstanceState = {
    ...input,
    features,
    status: 'running',
    awaitingResubmit: false,
    runs: [],
    completedRuns: [],
    forks: [],
    tasks: [],
    nextTaskSeq: 1,
    nextRunId: 1,
    nextCompletionOrder: 1,
    nextNotificationSeq: 1,
    automaticOutcomes: [],
    timeline: [],
    nextEventSeq: 1,
    createdAt: now,
  };
  return transition(state, now, (step) => {
    step.record('instance_started', { actorId: input.initiatorId, data: { flowVersion: input.flowVersion } });
    enterNode(step, startNodeOf(input.definition.nodes).next, '', []);
  });
}

/** A lookup the engine asked for has answered (an activity result, so it is fixed in history). */
export function lookupAnswered(state: InstanceState, purpose: ResolvePurpose, assignments: Assignment[], now: string): Transition {
  return transition(state, now, (step) => {
    const s = step.state;
    // A cc passed on the way to the end still gets its notice; every other answer needs a running instance.
    if (s.status !== 'running' && purpose.kind !== 'cc') return;
    switch (purpose.kind) {
      case 'node':
      case 'node_admins': {
        const run = s.runs.find((r) => r.runId === purpose.runId && r.phase === 'resolving');
        if (!run) return; // the run was returned or revoked while its approvers were looked up
        if (purpose.kind === 'node') openRun(step, run, assignments);
        else openRunWithAdmins(step, run, assignments);
        return;
      }
      case 'turn': {
        const run = s.runs.find((r) => r.runId === purpose.runId && r.phase === 'active');
        if (run) openTurn(step, run, purpose.turn, assignments);
        return;
      }
      case 'escalate':
        escalationResolved(step, purpose.taskId, assignments, purpose.fallbackToAdmins);
        return;
      case 'handover':
        handoverResolved(step, purpose.taskId, assignments);
        return;
      case 'cc': {
        const recipients = [...new Set(assignments.map((a) => a.userId))];
        step.record('cc_sent', { nodeId: purpose.nodeId, data: { recipients } });
        if (recipients.length > 0) {
          const node = s.definition.nodes.find((n) => n.id === purpose.nodeId);
          step.notify({
            kind: 'cc',
            recipients,
            nodeId: purpose.nodeId,
            title: `抄送: ${s.definition.name} ${s.businessKey}${node?.name ? ` · ${node.name}` : ''}`,
          });
        }
        return;
      }
    }
  });
}

/** Applies an action that the validator let through: checked once more on the transition's own copy, whose plan it carries out. */
export function act(state: InstanceState, action: ActionRequest, now: string): Transition {
  return transition(state, now, (step) => {
    const check = checkAction(step.state, action, step.now);
    if (!check.ok) throw new Error(`action refused: ${check.refusal.code}: ${check.refusal.message}`);
    applyAction(step, check.plan);
  });
}

export function timersDue(state: InstanceState, now: string): Transition {
  return transition(state, now, (step) => fireDueTimers(step));
}

/** A service node's ERP call answered, after its retries. */
export function serviceCallAnswered(state: InstanceState, ref: ServiceCallInFlight, result: ServiceResult, now: string): Transition {
  return transition(state, now, (step) => serviceAnswered(step, ref, result));
}

/** A compensation answered, after its retries. */
export function compensationDone(state: InstanceState, nodeId: string, result: ServiceResult, now: string): Transition {
  return transition(state, now, (step) => compensationAnswered(step, nodeId, result));
}

export function writeBackDone(state: InstanceState, result: WriteBackResult, now: string): Transition {
  return transition(state, now, (step) => writeBackAnswered(step, result));
}

/** Whether any of these users (who left) holds an open task here: only then is there anything to hand over. */
export function holdsOpenTasks(state: InstanceState, userIds: readonly string[]): boolean {
  return departedTasks(state, userIds).length > 0;
}

/** These users left: their open tasks go where their nodes' `onEmpty` points. */
export function assigneesDeparted(state: InstanceState, userIds: readonly string[], now: string): Transition {
  return transition(state, now, (step) => handOverDeparted(step, userIds));
}

/** Why ops may not retry compensations now, or undefined when they may. */
export function compensationRetryRefusal(state: InstanceState): Refusal | undefined {
  if (state.status !== 'compensation_failed')
    return refuse('INSTANCE_NOT_COMPENSATION_FAILED', `instance ${state.instanceId} is ${state.status}, not compensation_failed`);
  return undefined;
}

export function retryFailedCompensations(state: InstanceState, actorId: string, now: string): Transition {
  return transition(state, now, (step) => retryCompensations(step, actorId));
}

/** Assignees of pending tasks, in task order, once each. */
export function currentAssignees(state: InstanceState): string[] {
  return [...new Set(state.tasks.filter((t) => t.status === 'pending').map((t) => t.assigneeId))];
}

/** Nodes the instance waits at: its approval runs, or the start node while returned to the initiator. */
export function currentNodeIds(state: InstanceState): string[] {
  if (state.awaitingResubmit) return [startNodeOf(state.definition.nodes).id];
  return [...new Set(state.runs.map((r) => r.nodeId))];
}
