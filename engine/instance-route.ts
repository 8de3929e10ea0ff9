import type { FlowDefinition, FlowNode } from './dsl';
import type { InstanceView } from './instance-view';
import { plannedRoute } from './preview';
import type { TimelineEvent } from './state';

/**
 * An instance's route as its page shows it (审批流程): the nodes of its planned route for the
 * current form, each done, current, still to come, or never reached (the instance ended first).
 */
export type RouteNodeState = 'done' | 'current' | 'upcoming' | 'not_reached';

export interface RouteNodeStep {
  node: FlowNode;
  state: RouteNodeState;
}

type RouteSubject = Pick<InstanceView, 'status' | 'form' | 'currentNodeIds' | 'returnedToInitiator'>;

/** A return or a resubmit sends the flow back: what was done after the point it went back to is to be done again. */
const RESET_EVENTS = new Set(['returned', 'resubmitted']);

export function routeStates(definition: FlowDefinition, instance: RouteSubject, timeline: readonly TimelineEvent[]): RouteNodeStep[] {
  const route = plannedRoute(definition, instance.form);
  const lastSeq = new Map<string, number>();
  const lastEntered = new Map<string, number>();
  const lastCompleted = new Map<string, number>();
  let lastReset = -1;
  for (const e of timeline) {
    if (RESET_EVENTS.has(e.type)) lastReset = Math.max(lastReset, e.seq);
    if (e.nodeId === undefined) continue;
    lastSeq.set(e.nodeId, Math.max(lastSeq.get(e.nodeId) ?? -1, e.seq));
    if (e.type === 'node_entered') lastEntered.set(e.nodeId, e.seq);
    if (e.type === 'node_completed') lastCompleted.set(e.nodeId, e.seq);
  }
  const reached = (node: FlowNode) => node.type === 'start' || lastSeq.has(node.id);

  if (instance.status === 'approved') return route.map((node) => ({ node, state: 'done' }));
  if (instance.status !== 'running') return route.map((node) => ({ node, state: reached(node) && node.type !== 'end' ? 'done' : 'not_reached' }));
  if (instance.returnedToInitiator) return route.map((node) => ({ node, state: node.type === 'start' ? 'current' : 'upcoming' }));

  // The nodes before the first current one are done; a node after it only when a parallel branch finished it since the last return.
  const current = new Set(instance.currentNodeIds);
  const firstCurrent = route.findIndex((node) => current.has(node.id));
  const doneSinceReset = (node: FlowNode) =>
    node.type === 'approval'
      ? (lastCompleted.get(node.id) ?? -1) > Math.max(lastEntered.get(node.id) ?? -1, lastReset)
      : node.type !== 'end' && node.type !== 'join' && (lastSeq.get(node.id) ?? -1) > lastReset;
  return route.map((node, i) => {
    if (current.has(node.id)) return { node, state: 'current' };
    if (i < firstCurrent || node.type === 'start') return { node, state: 'done' };
    // No node current (a service call in flight): what happened since the last return tells.
    return { node, state: doneSinceReset(node) ? 'done' : 'upcoming' };
  });
}
