import type { ApprovalNode, FlowDefinition, FlowNode } from '../../engine/dsl';
import { outgoing } from '../../engine/validate-definition';
import { edgesAfter, findItem, layoutFlow, nodeMap, nodesOfLane, type Edge, type Lane, type LaneItem } from './flow-layout';

/**
 * The designer's edits, each a function from a definition to the next one: the "+" between two
 * boxes, delete, move up and down, branches added, removed and reordered. Only the nodes and
 * fields an edit is about change, so a definition the admin opens and saves untouched is saved
 * exactly as it was.
 */

export type NewNodeKind = 'approval' | 'cc' | 'service' | 'condition' | 'parallel';

/** What an edit may refuse: the designer shows the reason and the definition stays as it was. */
export class EditRefused extends Error {}

type Target = { get(): string | undefined; set(to: string): void };

/** The field of `edge` on its node, to read and to point elsewhere. */
function edgeTarget(definition: FlowDefinition, edge: Edge): Target {
  const node = definition.nodes.find((n) => n.id === edge.from) as Record<string, unknown> | undefined;
  if (!node) throw new EditRefused(`no node ${edge.from}`);
  const path = edge.field.split('.');
  let holder: Record<string, unknown> | unknown[] = node;
  for (const key of path.slice(0, -1)) holder = (holder as Record<string, unknown>)[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  const record = holder as Record<string, unknown>;
  return { get: () => record[last] as string | undefined, set: (to) => void (record[last] = to) };
}

const clone = (definition: FlowDefinition): FlowDefinition => structuredClone(definition);

/** `approval_3`: the first of its kind the definition (and `alsoTaken`) does not use yet. */
export function newNodeId(definition: FlowDefinition, prefix: string, alsoTaken: string[] = []): string {
  const taken = new Set([...definition.nodes.map((n) => n.id), ...alsoTaken]);
  for (let n = 1; ; n += 1) if (!taken.has(`${prefix}_${n}`)) return `${prefix}_${n}`;
}

/** Adds nodes to the list right after the node an edge leaves, so the JSON reads in the order the flow does. */
function insertNodesAfter(definition: FlowDefinition, afterId: string | undefined, nodes: FlowNode[]): void {
  const at = afterId === undefined ? -1 : definition.nodes.findIndex((n) => n.id === afterId);
  definition.nodes.splice(at < 0 ? definition.nodes.length : at + 1, 0, ...nodes);
}

function pointAll(definition: FlowDefinition, edges: Edge[], to: string): void {
  for (const edge of edges) edgeTarget(definition, edge).set(to);
}

function targetOf(definition: FlowDefinition, edges: Edge[]): string {
  const first = edges[0];
  if (!first) throw new EditRefused('此处无法添加节点');
  const target = edgeTarget(definition, first).get();
  if (target === undefined) throw new EditRefused('此处无法添加节点');
  return target;
}

export const emptyApproval = (id: string, next: string, name = '审批人'): ApprovalNode => ({
  id,
  type: 'approval',
  name,
  approvers: { type: 'users', ids: [] },
  mode: 'any',
  next,
});

/** A new box on the edges that all lead to one point (a "+"): they lead to it, it leads on to that point. Answers the definition and the new node's id. */
export function insertNode(definition: FlowDefinition, edges: Edge[], kind: NewNodeKind): { definition: FlowDefinition; id: string } {
  const next = clone(definition);
  const target = targetOf(next, edges);
  const after = edges[0]?.from;
  let created: FlowNode[];
  let id: string;
  switch (kind) {
    case 'approval':
      id = newNodeId(next, 'approval');
      created = [emptyApproval(id, target)];
      break;
    case 'cc':
      id = newNodeId(next, 'cc');
      created = [{ id, type: 'cc', name: '抄送人', recipients: { type: 'users', ids: [] }, next: target }];
      break;
    case 'service':
      id = newNodeId(next, 'service');
      created = [{ id, type: 'service', name: '服务调用', call: { system: '', operation: '' }, next: target }];
      break;
    case 'condition':
      id = newNodeId(next, 'condition');
      created = [{ id, type: 'condition', name: '条件分支', branches: [{ name: '条件1', when: { all: [] }, next: target }], default: target }];
      break;
    case 'parallel': {
      id = newNodeId(next, 'parallel');
      const join = newNodeId(next, 'join');
      const first = newNodeId(next, 'approval');
      const second = newNodeId(next, 'approval', [first]);
      created = [
        { id, type: 'parallel', name: '并行分支', branches: [first, second] },
        emptyApproval(first, join),
        emptyApproval(second, join),
        { id: join, type: 'join', name: '汇聚', next: target },
      ];
      break;
    }
  }
  insertNodesAfter(next, after, created);
  pointAll(next, edges, id);
  return { definition: next, id };
}

function itemOf(definition: FlowDefinition, id: string): { lane: Lane; index: number; item: LaneItem } {
  const found = findItem(layoutFlow(definition).main, id);
  if (!found) throw new EditRefused(`node ${id} is not drawn in a lane`);
  return { ...found, item: found.lane.items[found.index]! };
}

/** Where the flow goes on from an item once it is gone: a box's `next`, a block's meeting point (its join's `next`), else the end. */
function continuation(definition: FlowDefinition, item: LaneItem): string {
  const byId = nodeMap(definition);
  const node = byId.get(item.id);
  if (item.kind === 'node') {
    if (!node || !('next' in node)) throw new EditRefused('发起人和流程结束节点不能删除');
    return node.next;
  }
  if (item.kind === 'parallel' && item.join) return (byId.get(item.join) as Extract<FlowNode, { type: 'join' }>).next;
  if (item.kind === 'condition' && item.merge) return item.merge;
  if (item.kind === 'parallel') {
    const exit = item.branches.flatMap((l) => l.exits)[0];
    const target = exit && edgeTarget(definition, exit).get();
    if (target) return target;
  }
  const end = definition.nodes.find((n) => n.type === 'end');
  if (!end) throw new EditRefused('流程缺少结束节点');
  return end.id;
}

/** Removes a box, or a whole condition or fork block with everything in its lanes; what led to it leads on to where it led. */
export function removeItem(definition: FlowDefinition, id: string): FlowDefinition {
  const { item } = itemOf(definition, id);
  const node = nodeMap(definition).get(id);
  if (!node || node.type === 'start' || node.type === 'end') throw new EditRefused('发起人和流程结束节点不能删除');
  const onward = continuation(definition, item);
  const doomed = new Set(item.kind === 'node' ? [id] : nodesOfLane({ entry: [], stop: null, items: [item], exits: [] }));
  const next = clone(definition);
  redirectInto(next, doomed, id, onward);
  next.nodes = next.nodes.filter((n) => !doomed.has(n.id));
  return next;
}

/** Every edge from outside `doomed` into `into` now leads to `onward`. */
function redirectInto(definition: FlowDefinition, doomed: Set<string>, into: string, onward: string): void {
  for (const node of definition.nodes) {
    if (doomed.has(node.id)) continue;
    for (const { field, target } of outgoing(node)) if (target === into) edgeTarget(definition, { from: node.id, field }).set(onward);
  }
}

/** Moves a box one place up or down its lane (past a whole block if one is there). */
export function moveNode(definition: FlowDefinition, id: string, direction: 'up' | 'down'): FlowDefinition {
  const { lane, index, item } = itemOf(definition, id);
  if (item.kind !== 'node') throw new EditRefused('只能移动单个节点');
  const neighbour = lane.items[direction === 'up' ? index - 1 : index + 1];
  const movable = (i: LaneItem | undefined) => i && (i.kind === 'node' || i.kind === 'condition' || i.kind === 'parallel');
  if (!movable(neighbour)) throw new EditRefused(direction === 'up' ? '已在最上方' : '已在最下方');
  const node = nodeMap(definition).get(id)!;
  if (!('next' in node) || node.type === 'start' || node.type === 'join') throw new EditRefused('此节点不能移动');
  // Take the box out, then put it back before its upper neighbour or after its lower one.
  const without = clone(definition);
  const withoutNode = without.nodes.find((n) => n.id === id) as FlowNode & { next: string };
  redirectInto(without, new Set([id]), id, withoutNode.next);
  const placedAgain = itemOf(without, neighbour!.id);
  const edges = direction === 'up' ? placedAgain.item.edges : edgesAfter(placedAgain.lane, placedAgain.index);
  if (edges.length === 0) throw new EditRefused('此处无法移动');
  withoutNode.next = targetOf(without, edges);
  pointAll(without, edges, id);
  return without;
}

/** A new branch of a condition (before the default, which is always last) or of a fork (with an empty approval in it). */
export function addBranch(definition: FlowDefinition, blockId: string): FlowDefinition {
  const { item } = itemOf(definition, blockId);
  const next = clone(definition);
  const node = next.nodes.find((n) => n.id === blockId);
  if (item.kind === 'condition' && node?.type === 'condition') {
    const meet = item.merge ?? continuation(definition, item);
    node.branches.push({ name: `条件${node.branches.length + 1}`, when: { all: [] }, next: meet });
    return next;
  }
  if (item.kind === 'parallel' && node?.type === 'parallel') {
    const meet = item.join ?? item.branches[0]?.exits.map((e) => edgeTarget(definition, e).get())[0];
    if (!meet) throw new EditRefused('并行分支没有汇聚节点，无法添加分支');
    const id = newNodeId(next, 'approval');
    insertNodesAfter(next, node.branches.length > 0 ? (lastOfLane(item.branches[item.branches.length - 1]!) ?? blockId) : blockId, [emptyApproval(id, meet)]);
    node.branches.push(id);
    return next;
  }
  throw new EditRefused(`${blockId} is not a condition or a fork`);
}

const lastOfLane = (lane: Lane) => nodesOfLane(lane).at(-1);

/** Removes a branch and what is only in it; a condition keeps at least one branch and its default (其他情况), a fork two. */
export function removeBranch(definition: FlowDefinition, blockId: string, index: number): FlowDefinition {
  const { item } = itemOf(definition, blockId);
  if (item.kind !== 'condition' && item.kind !== 'parallel') throw new EditRefused(`${blockId} is not a condition or a fork`);
  const lane = index === -1 ? (item.kind === 'condition' ? item.otherwise : undefined) : item.branches[index];
  if (!lane) throw new EditRefused('没有这个分支');
  const next = clone(definition);
  const node = next.nodes.find((n) => n.id === blockId)!;
  if (node.type === 'condition') {
    if (index === -1) throw new EditRefused('「其他情况」是必需的默认分支，不能删除');
    if (node.branches.length === 1) throw new EditRefused('条件分支至少保留一个条件');
    else node.branches.splice(index, 1);
  } else if (node.type === 'parallel') {
    if (node.branches.length <= 2) throw new EditRefused('并行分支至少保留两个分支');
    node.branches.splice(index, 1);
  }
  const doomed = new Set(nodesOfLane(lane));
  next.nodes = next.nodes.filter((n) => !doomed.has(n.id));
  return next;
}

/** Swaps a condition's branch with its neighbour: the first matching branch wins, so order is priority. */
export function moveBranch(definition: FlowDefinition, blockId: string, index: number, direction: 'left' | 'right'): FlowDefinition {
  const next = clone(definition);
  const node = next.nodes.find((n) => n.id === blockId);
  if (node?.type !== 'condition' && node?.type !== 'parallel') throw new EditRefused(`${blockId} is not a condition or a fork`);
  const other = direction === 'left' ? index - 1 : index + 1;
  const branches = node.branches as unknown[];
  if (other < 0 || other >= branches.length) throw new EditRefused('no branch there');
  [branches[index], branches[other]] = [branches[other], branches[index]];
  return next;
}

/** Adds the default branch (其他情况) to a condition that has none: it leads to where the branches meet. */
export function addDefault(definition: FlowDefinition, blockId: string): FlowDefinition {
  const { item } = itemOf(definition, blockId);
  if (item.kind !== 'condition') throw new EditRefused(`${blockId} is not a condition`);
  const next = clone(definition);
  const node = next.nodes.find((n) => n.id === blockId);
  if (node?.type === 'condition') node.default = item.merge ?? continuation(definition, item);
  return next;
}

/** Replaces one node with an edited copy (the side panel's changes). */
export function replaceNode(definition: FlowDefinition, node: FlowNode): FlowDefinition {
  return { ...definition, nodes: definition.nodes.map((n) => (n.id === node.id ? node : n)) };
}

const NODE_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Gives a node another id (the one a start request's `selectedApprovers` names), and every edge into it follows. */
export function renameNode(definition: FlowDefinition, from: string, to: string): FlowDefinition {
  if (from === to) return definition;
  if (!NODE_ID.test(to)) throw new EditRefused('节点 ID 须以字母或下划线开头，只含字母、数字、“_”、“-”，最多 64 个字符');
  if (definition.nodes.some((n) => n.id === to)) throw new EditRefused(`节点 ID「${to}」已被使用`);
  const next = clone(definition);
  redirectInto(next, new Set(), from, to);
  next.nodes = next.nodes.map((n) => (n.id === from ? { ...n, id: to } : n));
  return next;
}

/** A branch that ends the flow where it is (the DSL's edge straight to an end node): its bottom edges lead to the end. */
export function endHere(definition: FlowDefinition, edges: Edge[]): FlowDefinition {
  const end = definition.nodes.find((n) => n.type === 'end');
  if (!end) throw new EditRefused('流程缺少结束节点');
  const next = clone(definition);
  pointAll(next, edges, end.id);
  return next;
}

/** Takes back an early end: the edges that led to it lead to where the lane meets the others again. */
export function continueInstead(definition: FlowDefinition, edges: Edge[], meet: string): FlowDefinition {
  const next = clone(definition);
  pointAll(next, edges, meet);
  return next;
}
