import type { NodeOfType } from './dsl';
import { closeOpenTasks, enterNode } from './routing';
import { findNodeOfType, isFinalStatus, type Compensation, type FinalStatus, type ServiceCallInFlight } from './state';
import type { Step } from './step';

/**
 * Service nodes and the saga (SPEC §5). A service node calls its ERP operation and waits; when
 * it succeeds its compensation is registered. An instance that ends rejected, withdrawn or
 * failed first runs the registered compensations, newest first, each once; it is `compensating`
 * meanwhile, and `compensation_failed` (waiting for ops) if any of them failed for good.
 */

export type ServiceResult = { ok: true; status: number; response?: unknown } | { ok: false; error: string; status?: number };

/** What the timeline keeps of a failed ERP call. */
const failureData = (result: Extract<ServiceResult, { ok: false }>) => ({
  error: result.error,
  ...(result.status !== undefined ? { httpStatus: result.status } : {}),
});

export function enterServiceNode(step: Step, node: NodeOfType<'service'>, token: string, from: number[]): void {
  const s = step.state;
  const ref: ServiceCallInFlight = { nodeId: node.id, token, from };
  s.serviceCalls = [...(s.serviceCalls ?? []), ref];
  step.record('service_called', { nodeId: node.id, data: { system: node.call.system, operation: node.call.operation } });
  step.commands.push({ type: 'service', call: node.call, ref, idempotencyKey: `${s.instanceId}:${node.id}:call` });
}

/** A service call answered (after its retries): go on, or end the instance `failed`. */
export function serviceAnswered(step: Step, ref: ServiceCallInFlight, result: ServiceResult): void {
  const s = step.state;
  const calls = s.serviceCalls ?? [];
  const index = calls.findIndex((c) => c.nodeId === ref.nodeId && c.token === ref.token);
  if (index < 0) return;
  const abandoned = calls[index]!.abandoned === true;
  s.serviceCalls = calls.filter((_, i) => i !== index);
  const node = findNodeOfType(s.definition, ref.nodeId, 'service');
  const call = { system: node.call.system, operation: node.call.operation, ...(abandoned ? { abandoned } : {}) };
  if (!result.ok) {
    step.record('service_failed', { nodeId: node.id, data: { ...call, ...failureData(result) } });
    if (s.status === 'running' && !abandoned) {
      closeOpenTasks(step, () => true, 'cancelled', 'instance_failed');
      endInstance(step, 'failed');
    } else {
      settleSaga(step);
    }
    return;
  }
  step.record('service_completed', { nodeId: node.id, data: { ...call, httpStatus: result.status, ...(result.response !== undefined ? { response: result.response } : {}) } });
  if (node.compensate) {
    const registered: Compensation = { nodeId: node.id, call: node.compensate, status: 'registered' };
    // Passing the node again (after a return) keeps one compensation for it, at the newest place.
    s.compensations = [...(s.compensations ?? []).filter((c) => c.nodeId !== node.id), registered];
  }
  if (s.status === 'running') {
    if (!abandoned) enterNode(step, node.next, ref.token, ref.from);
    return;
  }
  // The instance ended while this call was out: undo it too.
  const late = s.compensations?.find((c) => c.nodeId === node.id && c.status === 'registered');
  if (s.status === 'compensating' && late) requestCompensation(step, late);
  settleSaga(step);
}

/**
 * A return undid the path to these calls: their answers will not move the flow (a success is
 * still compensated if the instance later fails — the ERP did the work).
 */
export function abandonServiceCalls(step: Step, undone: (call: ServiceCallInFlight) => boolean): void {
  for (const call of step.state.serviceCalls ?? []) if (undone(call)) call.abandoned = true;
}

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

function requestCompensation(step: Step, compensation: Compensation): void {
  compensation.status = 'running';
  delete compensation.error;
  step.commands.push({ type: 'compensate', nodeId: compensation.nodeId, call: compensation.call, idempotencyKey: `${step.state.instanceId}:${compensation.nodeId}:compensate` });
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
function settleSaga(step: Step): void {
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
