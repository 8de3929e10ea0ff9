import { isFinalStatus, type Compensation, type FinalStatus } from './state';
import type { Step } from './step';

/**
 * Ending an instance, and the saga (SPEC §5). A service node that succeeded registered its
 * compensation (service-nodes.ts). An instance that ends rejected, withdrawn or failed first runs
 * the registered compensations, newest first, each once; it is `compensating` meanwhile, and
 * `compensation_failed` (waiting for ops) if any of them failed for good.
 */

export type ServiceResult = { ok: true; status: number; response?: unknown } | { ok: false; error: string; status?: number };

/** What the timeline keeps of a failed ERP call. */
export const failureData = (result: Extract<ServiceResult, { ok: false }>) => ({
  error: result.error,
  ...(result.status !== undefined ? { httpStatus: result.status } : {}),
});

/**
 * Ends the instance as `status`. A rejected, withdrawn or failed instance with service work to
 * undo (or still out) compensates first.
 */
export function endInstance(step: Step, status: FinalStatus): void {
  const s = step.state;
  s.runs = [];
  s.forks = [];
  s.awaitingResubmit = false;
  const toUndo = (s.compensations ?? []).filter((c) => c.status === 'registered');
  if (status === 'approved' || (toUndo.length === 0 && (s.serviceCalls ?? []).length === 0)) {
    complete(step, status);
    return;
  }
  s.status = 'compensating';
  s.endingAs = status;
  const newestFirst = [...toUndo].reverse();
  step.record('compensation_started', { data: { endingAs: status, nodeIds: newestFirst.map((c) => c.nodeId) } });
  for (const compensation of newestFirst) requestCompensation(step, compensation);
  settleSaga(step);
}

export function requestCompensation(step: Step, compensation: Compensation): void {
  compensation.status = 'running';
  delete compensation.error;
  step.commands.push({
    type: 'compensate',
    nodeId: compensation.nodeId,
    call: compensation.call,
    idempotencyKey: `${step.state.instanceId}:${compensation.nodeId}:compensate`,
  });
}

export function compensationAnswered(step: Step, nodeId: string, result: ServiceResult): void {
  const compensation = step.state.compensations?.find((c) => c.nodeId === nodeId && c.status === 'running');
  if (!compensation) return;
  const call = { system: compensation.call.system, operation: compensation.call.operation };
  if (result.ok) {
    compensation.status = 'compensated';
    step.record('compensated', { nodeId, data: { ...call, httpStatus: result.status } });
  } else {
    compensation.status = 'failed';
    compensation.error = result.error;
    step.record('compensation_failed', { nodeId, data: { ...call, ...failureData(result) } });
  }
  settleSaga(step);
}

/** Ops retry (after fixing the ERP): the failed compensations run again. */
export function retryCompensations(step: Step, actorId: string): void {
  const s = step.state;
  if (s.status !== 'compensation_failed') return;
  const failed = (s.compensations ?? []).filter((c) => c.status === 'failed').reverse();
  s.status = 'compensating';
  delete s.completedAt;
  step.record('compensation_retried', { actorId, data: { nodeIds: failed.map((c) => c.nodeId) } });
  for (const compensation of failed) requestCompensation(step, compensation);
  settleSaga(step);
}

/** Once nothing is out any more, the instance takes its final status (or waits for ops). */
export function settleSaga(step: Step): void {
  const s = step.state;
  if (s.status !== 'compensating') return;
  const compensations = s.compensations ?? [];
  if (compensations.some((c) => c.status === 'running') || (s.serviceCalls ?? []).length > 0) return;
  if (compensations.some((c) => c.status === 'failed')) {
    s.status = 'compensation_failed';
    s.completedAt = step.now;
    step.record('instance_completed', { data: { status: s.status, endingAs: s.endingAs } });
    return;
  }
  complete(step, s.endingAs ?? 'failed');
}

function complete(step: Step, status: FinalStatus): void {
  const s = step.state;
  s.status = status;
  s.completedAt = step.now;
  step.record('instance_completed', { data: { status } });
  if (s.writeBack && s.source && isFinalStatus(status)) {
    step.commands.push({ type: 'write_back', status, idempotencyKey: `${s.instanceId}:write_back` });
  }
}

/** The write-back's answer; `skipped` when the system no longer has a write-back configured. */
export type WriteBackResult = ServiceResult | { ok: 'skipped'; reason: string };

export function writeBackAnswered(step: Step, result: WriteBackResult): void {
  const system = step.state.source?.system;
  if (result.ok === 'skipped') step.record('write_back_skipped', { data: { system, reason: result.reason } });
  else if (result.ok) step.record('written_back', { data: { system, httpStatus: result.status } });
  else step.record('write_back_failed', { data: { system, ...failureData(result) } });
}
