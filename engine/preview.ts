import type { Assignment, ResolveApproversInput } from './assignment';
import type { ApprovalNode, FlowDefinition, FlowNode, FormValues } from './dsl';
import { approverLookup, recipientLookup, type LookupContext } from './lookup-request';
import { chooseBranch, startNodeOf } from './routing';

/**
 * Route preview (预测审批路径): the nodes a new instance would meet for this form and initiator,
 * walked with the engine's own branch choice and lookups, assuming every approval passes.
 */

/** The nodes the instance would pass, in walk order (every branch of a fork; a join once). */
export function plannedRoute(definition: FlowDefinition, form: FormValues): FlowNode[] {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const route: FlowNode[] = [];
  const seen = new Set<string>();
  const walk = (nodeId: string): void => {
    if (seen.has(nodeId)) return;
    seen.add(nodeId);
    const node = byId.get(nodeId);
    if (!node) throw new Error(`definition ${definition.code} has no node "${nodeId}"`);
    route.push(node);
    switch (node.type) {
      case 'end':
        return;
      case 'condition':
        walk(chooseBranch(node, form));
        return;
      case 'parallel':
        node.branches.forEach(walk);
        return;
      default:
        walk(node.next);
    }
  };
  walk(startNodeOf(definition.nodes).id);
  return route;
}

/** The lookups a preview needs: one per approval and cc node on the route. */
export function previewLookups(route: FlowNode[], ctx: LookupContext): Array<{ nodeId: string; request: ResolveApproversInput }> {
  return route.flatMap((node) => {
    if (node.type === 'approval') return [{ nodeId: node.id, request: approverLookup(ctx, node) }];
    if (node.type === 'cc') return [{ nodeId: node.id, request: recipientLookup(ctx, node) }];
    return [];
  });
}

export interface PreviewApprover extends Assignment {
  /** Would be approved without acting: already approved earlier on the route, or the initiator rule. */
  autoApproved?: 'dedupe' | 'initiator';
}

export interface PreviewNode {
  nodeId: string;
  type: FlowNode['type'];
  name?: string;
  mode?: ApprovalNode['mode'];
  approvers?: PreviewApprover[];
  recipients?: string[];
  /** No approver resolved: what `onEmpty` would do. */
  whenEmpty?: 'auto_approve' | 'to_admin' | 'reject';
}

export function previewRoute(route: FlowNode[], initiatorId: string, answers: Map<string, Assignment[]>): PreviewNode[] {
  /** Only `all` and `sequential` make every assignee approve, so only they make dedupe certain. */
  const certainApprovers = new Set<string>();
  return route.map((node) => {
    const base = { nodeId: node.id, type: node.type, ...(node.name ? { name: node.name } : {}) };
    if (node.type === 'cc') return { ...base, recipients: (answers.get(node.id) ?? []).map((a) => a.userId) };
    if (node.type !== 'approval') return base;
    const resolved = answers.get(node.id) ?? [];
    const approvers = resolved.map((a): PreviewApprover => {
      if (node.dedupe !== false && certainApprovers.has(a.userId)) return { ...a, autoApproved: 'dedupe' };
      if (node.whenApproverIsInitiator === 'auto_approve' && node.approvers.type !== 'initiator' && a.userId === initiatorId)
        return { ...a, autoApproved: 'initiator' };
      return a;
    });
    // Only a person's own approval counts for dedupe later on, not an automatic one.
    if (node.mode === 'all' || node.mode === 'sequential') for (const a of approvers) if (!a.autoApproved) certainApprovers.add(a.userId);
    return { ...base, mode: node.mode, approvers, ...(resolved.length === 0 ? { whenEmpty: node.onEmpty ?? 'reject' } : {}) };
  });
}
