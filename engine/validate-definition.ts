import { checkCondition } from './condition';
import type { FlowDefinition, FlowNode } from './dsl';
import type { DefinitionProblem } from './definition-errors';

/** Where each node may go next, with the field that says so. */
export function outgoing(node: FlowNode): Array<{ field: string; target: string }> {
  switch (node.type) {
    case 'start':
    case 'approval':
    case 'cc':
    case 'service':
    case 'join':
      return [{ field: 'next', target: node.next }];
    case 'condition':
      return [
        ...node.branches.map((b, i) => ({ field: `branches.${i}.next`, target: b.next })),
        ...(node.default !== undefined ? [{ field: 'default', target: node.default }] : []),
      ];
    case 'parallel':
      return node.branches.map((target, i) => ({ field: `branches.${i}`, target }));
    case 'end':
      return [];
  }
}

export function successors(node: FlowNode): string[] {
  return outgoing(node).map((edge) => edge.target);
}

/**
 * Publish-time checks on a definition that already has the DSL's shape (SPEC §4): unique ids and form field keys,
 * exactly one start, every `next` exists, every node reachable, an end reachable from every
 * node, no cycles, conditions over existing form fields with a default, forks that meet at one
 * join. One problem per finding, each naming the node and the field.
 */
export function validateDefinitionGraph(definition: FlowDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const byId = new Map<string, FlowNode>();
  for (const node of definition.nodes) {
    if (byId.has(node.id)) problems.push({ nodeId: node.id, field: 'id', message: `duplicate node id "${node.id}"` });
    else byId.set(node.id, node);
  }
  const keys = new Set<string>();
  for (const [i, field] of definition.form.fields.entries()) {
    if (keys.has(field.key)) problems.push({ nodeId: null, field: `form.fields.${i}.key`, message: `duplicate form field key "${field.key}"` });
    keys.add(field.key);
  }
  const starts = definition.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1) {
    problems.push({ nodeId: null, field: 'nodes', message: `a flow needs exactly one start node, found ${starts.length}` });
  }
  if (!definition.nodes.some((n) => n.type === 'end')) {
    problems.push({ nodeId: null, field: 'nodes', message: 'a flow needs an end node' });
  }
  for (const node of byId.values()) {
    for (const { field, target } of outgoing(node)) {
      if (!byId.has(target)) problems.push({ nodeId: node.id, field, message: `names unknown node "${target}"` });
      else if (target === node.id) problems.push({ nodeId: node.id, field, message: 'a node cannot lead to itself' });
      else if (byId.get(target)!.type === 'start')
        problems.push({ nodeId: node.id, field, message: 'the start node cannot be entered (a return to the initiator is an action)' });
    }
    problems.push(...nodeProblems(definition, node));
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
  let cyclic = false;
  const visit = (nodeId: string): void => {
    colour.set(nodeId, 'grey');
    for (const { field, target } of outgoing(byId.get(nodeId)!)) {
      const seen = colour.get(target);
      if (seen === 'grey') {
        cyclic = true;
        problems.push({ nodeId, field, message: `leads back to "${target}": cycles are not allowed (use the return action instead)` });
      } else if (!seen) visit(target);
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
  if (!cyclic) problems.push(...forkProblems(byId, start.id));
  return problems;
}

function nodeProblems(definition: FlowDefinition, node: FlowNode): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (node.type === 'condition') {
    if (node.default === undefined) {
      problems.push({ nodeId: node.id, field: 'default', message: 'a condition needs a "default" branch, taken when no branch matches' });
    }
    node.branches.forEach((branch, i) => {
      for (const p of checkCondition(branch.when, definition.form.fields)) {
        problems.push({ nodeId: node.id, field: `branches.${i}.when.${p.path}`, message: p.message });
      }
    });
  }
  if (node.type === 'parallel' && new Set(node.branches).size !== node.branches.length) {
    problems.push({ nodeId: node.id, field: 'branches', message: 'a branch is listed twice' });
  }
  if (
    node.type === 'approval' &&
    node.approvers.type === 'users' &&
    node.mode === 'vote' &&
    node.passCount !== undefined &&
    node.passCount > node.approvers.ids.length
  ) {
    problems.push({ nodeId: node.id, field: 'passCount', message: `needs ${node.passCount} approvals but names only ${node.approvers.ids.length} approvers` });
  }
  return problems;
}

/**
 * Forks must nest: every branch of a `parallel` meets the others at one `join` before any end,
 * and no node is reachable both inside and outside a fork. Walks the graph carrying the stack of
 * open forks.
 */
function forkProblems(byId: Map<string, FlowNode>, startId: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const contextOf = new Map<string, string>();
  const joinOf = new Map<string, string>();
  const forkOfJoin = new Map<string, string>();
  const reported = new Set<string>();
  const report = (nodeId: string, field: string, message: string) => {
    if (reported.has(`${nodeId}:${field}`)) return;
    reported.add(`${nodeId}:${field}`);
    problems.push({ nodeId, field, message });
  };
  /** `forks` holds `parallelId#branchIndex` for each open fork, innermost last. */
  const walk = (nodeId: string, forks: string[]): void => {
    const node = byId.get(nodeId)!;
    const forkOf = (entry: string | undefined) => entry?.split('#')[0];
    // A join is where a fork's branches meet, so which branch reached it does not matter.
    const key = node.type === 'join' ? [...forks.slice(0, -1), forkOf(forks.at(-1)) ?? ''].join('>') : forks.join('>');
    const seen = contextOf.get(nodeId);
    if (seen !== undefined) {
      if (seen !== key) {
        const fork = forkOf(forks.at(-1)) ?? forkOf(seen.split('>').at(-1));
        report(nodeId, 'id', `reached from more than one branch of parallel "${fork}", or from inside and outside it: branches may only meet at its join`);
      }
      return;
    }
    contextOf.set(nodeId, key);
    switch (node.type) {
      case 'end':
        if (forks.length > 0) report(nodeId, 'id', `an end is reachable inside parallel "${forkOf(forks.at(-1))}" before its join`);
        return;
      case 'parallel':
        node.branches.forEach((branch, i) => walk(branch, [...forks, `${node.id}#${i}`]));
        return;
      case 'join': {
        const fork = forkOf(forks.at(-1));
        if (fork === undefined) {
          report(nodeId, 'id', 'a join must be reached through the branches of a parallel node');
          return;
        }
        const expected = joinOf.get(fork);
        if (expected !== undefined && expected !== nodeId) report(fork, 'branches', `branches meet at different joins ("${expected}" and "${nodeId}")`);
        joinOf.set(fork, nodeId);
        const other = forkOfJoin.get(nodeId);
        if (other !== undefined && other !== fork) report(nodeId, 'id', `joins two parallel nodes ("${other}" and "${fork}")`);
        forkOfJoin.set(nodeId, fork);
        walk(node.next, forks.slice(0, -1));
        return;
      }
      default:
        for (const next of successors(node)) walk(next, forks);
    }
  };
  walk(startId, []);
  return problems;
}
