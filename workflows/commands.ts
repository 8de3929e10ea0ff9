import { ActivityFailure, ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import type { Assignment } from '../engine/assignment';
import {
  compensationDone,
  lookupAnswered,
  serviceCallAnswered,
  writeBackDone,
  type Command,
  type InstanceState,
  type ResolvePurpose,
  type ServiceResult,
  type Transition,
  type WriteBackResult,
} from '../engine/instance';
import { templateContextOf } from '../engine/template-context';
import { notify, resolveApprovers, resolveApproversLocally, type ErpActivities } from './activity-stubs';

/**
 * Carries out one engine command by its activity and hands the answer back to the engine. The
 * answer applies to the state as it is when the activity returns (`current`), not as it was when
 * the command went out: actions keep arriving meanwhile. Webhooks are not commands here: they go
 * through the outbox (webhook-outbox.ts).
 */
export async function executeCommand(command: Command, current: () => InstanceState, erp: ErpActivities): Promise<Transition | undefined> {
  const state = current();
  switch (command.type) {
    case 'resolve': {
      const lookup = state.features?.localLookups ? resolveApproversLocally : resolveApprovers;
      const result = await lookup.executeWithOptions({ summary: lookupSummary(state, command.purpose) }, [command.request]);
      return lookupAnswered(current(), command.purpose, asAssignments(result), new Date().toISOString());
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
          { call, idempotencyKey, context: templateContextOf(state) },
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
            { call, idempotencyKey, context: templateContextOf(state) },
          ]),
        ),
      );
      return compensationDone(current(), nodeId, result, new Date().toISOString());
    }
    case 'write_back': {
      const system = state.source!.system;
      let result: WriteBackResult;
      try {
        const answer = await erp.writeBack.executeWithOptions({ summary: `write-back to ${system} (${command.status})` }, [
          { system, idempotencyKey: command.idempotencyKey, context: templateContextOf(state) },
        ]);
        result = 'skipped' in answer ? { ok: 'skipped', reason: answer.skipped } : { ok: true, status: answer.status };
      } catch (err) {
        result = { ok: false, ...failureOf(err) };
      }
      return writeBackDone(current(), result, new Date().toISOString());
    }
    case 'webhook':
      throw new Error('webhooks go through the outbox, not the command loop');
  }
}

/** What the Web UI shows for a lookup activity. */
function lookupSummary(state: InstanceState, purpose: ResolvePurpose): string {
  switch (purpose.kind) {
    case 'node':
      return `resolve approvers of ${nodeIdOfRun(state, purpose.runId)}`;
    case 'node_admins':
      return `resolve approvers of ${nodeIdOfRun(state, purpose.runId)} (admins)`;
    case 'turn':
      return `resolve the next turn of ${nodeIdOfRun(state, purpose.runId)}`;
    case 'cc':
      return `resolve cc recipients of ${purpose.nodeId}`;
    case 'handover':
      return `resolve the admins who take over task ${purpose.taskId} (assignee left)`;
    case 'escalate':
      return `resolve escalation target of task ${purpose.taskId}`;
  }
}

function nodeIdOfRun(state: InstanceState, runId: number): string {
  return [...state.runs, ...state.completedRuns].find((r) => r.runId === runId)?.nodeId ?? `run ${runId}`;
}

/** Histories recorded before approver lookups returned assignments held plain user ids. */
function asAssignments(result: Array<Assignment | string>): Assignment[] {
  return result.map((entry) => (typeof entry === 'string' ? { userId: entry } : entry));
}

/** What a failed activity (after its retries) said, for the timeline and the dead-letter table. */
export function failureOf(err: unknown): { error: string; status?: number } {
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
