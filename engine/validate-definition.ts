import type { FlowDefinition, FlowNode } from './dsl';
import type { DefinitionProblem } from './definition-errors';

/** Where each node may go next. */
export function successors(node: FlowNode): string[] {
  switch (node.type) {
    case 'start':
    case 'approval':
      return [node.next];
    case 'end':
      return [];
  }
}

/**
 * Publish-time checks on a definition that already has the DSL's shape: unique ids, exactly one
 * start, every `next` exists, every node reachable from the start, an end reachable from every
 * node, no cycles. One problem per finding, each naming the node and the field.
 */
export function validateDefinitionGraph(definition: FlowDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const byId = new Map<string, FlowNode>();
  for (const node of definition.nodes) {
    if (byId.has(node.id)) problems.push({ nodeId: node.id, field: 'id', message: `duplicate node id "${node.id}"` });
    else byId.set(node.id, node);
  }
  const starts = definition.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1) {
    problems.push({ nodeId: null, field: 'nodes', message: `a flow needs exactly one start node, found ${starts.length}` });
  }
  if (!definition.nodes.some((n) => n.type === 'end')) {
    problems.push({ nodeId: null, field: 'nodes', message: 'a flow needs an end node' });
  }
  for (const node of byId.values()) {
    if (node.type !== 'end' && !byId.has(node.next)) {
      problems.push({ nodeId: node.id, field: 'next', message: `"next" names unknown node "${node.next}"` });
    }
    if (node.type === 'start' || node.type === 'approval') {
      if (node.next === node.id) problems.push({ nodeId: node.id, field: 'next', message: 'a node cannot lead to itself' });
    }
  }
  if (problems.length > 0) return problems;

  const start = starts[0]!;
  const reachable = new Set<string>();
  const queue = [start.id];
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (reachable.has(current)) continue;
    reachable.add(current);
    queue.push(...successors(byId.get(current)!));
  }
  for (const node of byId.values()) {
    if (!reachable.has(node.id)) problems.push({ nodeId: node.id, field: 'id', message: 'unreachable from the start node' });
  }

  // Cycle detection (DFS colours); returns are actions, never edges.
  const colour = new Map<string, 'grey' | 'black'>();
  const visit = (nodeId: string): void => {
    colour.set(nodeId, 'grey');
    for (const next of successors(byId.get(nodeId)!)) {
      const seen = colour.get(next);
      if (seen === 'grey') problems.push({ nodeId, field: 'next', message: `leads back to "${next}": cycles are not allowed (use the return action instead)` });
      else if (!seen) visit(next);
    }
    colour.set(nodeId, 'black');
  };
  for (const nodeId of byId.keys()) if (!colour.has(nodeId)) visit(nodeId);

  // An end must be reachable from every node.
  const reachesEnd = new Set<string>(definition.nodes.filter((n) => n.type === 'end').map((n) => n.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of byId.values()) {
      if (!reachesEnd.has(node.id) && successors(node).some((s) => reachesEnd.has(s))) {
        reachesEnd.add(node.id);
        grew = true;
      }
    }
  }
  for (const node of byId.values()) {
    if (!reachesEnd.has(node.id)) problems.push({ nodeId: node.id, field: 'next', message: 'no end node is reachable from here' });
  }
  return problems;
}
