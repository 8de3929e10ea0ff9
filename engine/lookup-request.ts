import type { ResolveApproversInput } from './assignment';
import type { FlowDefinition, NodeOfType } from './dsl';

export interface LookupContext {
  instanceId: string;
  flowCode: string;
  initiatorId: string;
  selectedApprovers?: Record<string, string[]>;
}

/** The org lookup for an approval node's approvers: the same request for a running instance and a route preview. */
export function approverLookup(ctx: LookupContext, node: NodeOfType<'approval'>): ResolveApproversInput {
  return {
    instanceId: ctx.instanceId,
    flowCode: ctx.flowCode,
    source: node.approvers,
    subjectId: ctx.initiatorId,
    initiatorId: ctx.initiatorId,
    ...(node.approvers.type === 'initiator_select' ? { selected: ctx.selectedApprovers?.[node.id] ?? [] } : {}),
    ...(node.whenApproverIsInitiator ? { whenApproverIsInitiator: node.whenApproverIsInitiator } : {}),
    applyDelegation: true,
  };
}

/** The org lookup for a cc node's recipients (no delegation: a cc is a notice, not a task). */
export function recipientLookup(ctx: LookupContext, node: NodeOfType<'cc'>): ResolveApproversInput {
  return {
    instanceId: ctx.instanceId,
    flowCode: ctx.flowCode,
    source: node.recipients,
    subjectId: ctx.initiatorId,
    initiatorId: ctx.initiatorId,
    applyDelegation: false,
  };
}

/** The flow's admins (else the `approval_admin` role), who take what nobody else can: an empty node, a leaver's task. */
export function adminLookup(ctx: LookupContext & { definition: Pick<FlowDefinition, 'admins'> }, subjectId: string): ResolveApproversInput {
  return {
    instanceId: ctx.instanceId,
    flowCode: ctx.flowCode,
    source: { type: 'admins', ids: ctx.definition.admins ?? [] },
    subjectId,
    initiatorId: ctx.initiatorId,
    applyDelegation: true,
  };
}
