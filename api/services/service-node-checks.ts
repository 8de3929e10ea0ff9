import type { Db } from '../../db/client';
import { findErpSystems, type ErpSystemSummary } from '../../db/erp-systems';
import type { DefinitionProblem } from '../../engine/definition-errors';
import type { FlowDefinition, FlowNode, ServiceCall } from '../../engine/dsl';

type ServiceNode = Extract<FlowNode, { type: 'service' }>;

function serviceNodes(definition: FlowDefinition): ServiceNode[] {
  return definition.nodes.filter((node): node is ServiceNode => node.type === 'service');
}

function callProblems(nodeId: string, where: 'call' | 'compensate', call: ServiceCall, registry: Map<string, ErpSystemSummary>): DefinitionProblem[] {
  const system = registry.get(call.system);
  if (!system) return [{ nodeId, field: `${where}.system`, message: `no ERP system "${call.system}" is registered (POST /api/v1/systems)` }];
  if (!system.operations.includes(call.operation)) {
    const known = system.operations.length > 0 ? system.operations.map((o) => `"${o}"`).join(', ') : 'none';
    return [{ nodeId, field: `${where}.operation`, message: `ERP system "${call.system}" has no operation "${call.operation}" (it has: ${known})` }];
  }
  return [];
}

/** Pure part: every `service` node's call (and compensation) against what is registered. */
export function checkServiceNodes(definition: FlowDefinition, registry: Map<string, ErpSystemSummary>): DefinitionProblem[] {
  return serviceNodes(definition).flatMap((node) => [
    ...callProblems(node.id, 'call', node.call, registry),
    ...(node.compensate ? callProblems(node.id, 'compensate', node.compensate, registry) : []),
  ]);
}

/** Publish-time check: `service` nodes may only name registered systems and their operations. */
export async function serviceNodeProblems(db: Db, definition: FlowDefinition): Promise<DefinitionProblem[]> {
  const nodes = serviceNodes(definition);
  if (nodes.length === 0) return [];
  const codes = nodes.flatMap((node) => [node.call.system, ...(node.compensate ? [node.compensate.system] : [])]);
  return checkServiceNodes(definition, await findErpSystems(db, codes));
}
