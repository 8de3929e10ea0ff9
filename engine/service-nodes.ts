import { closeOpenTasks, enterNode } from './routing';
import { endInstance, failureData, requestCompensation, settleSaga, type ServiceResult } from './saga';
import { findNodeOfType, type Compensation, type ServiceCallInFlight } from './state';
import type { Step } from './step';

/**
 * Service nodes (SPEC §5): the walk entered one and its ERP call went out (routing.ts); here its
 * answer comes back. A success registers the node's compensation and walks on; a final failure
 * fails the instance, which compensates what succeeded before.
 */

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
  step.record('service_completed', {
    nodeId: node.id,
    data: { ...call, httpStatus: result.status, ...(result.response !== undefined ? { response: result.response } : {}) },
  });
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
