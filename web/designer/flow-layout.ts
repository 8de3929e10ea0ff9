import type { FlowDefinition, FlowNode } from '../../engine/dsl';
import { outgoing } from '../../engine/validate-definition';

/**
 * The DingTalk-style picture of a flow: one column from start to end, a condition or a fork as a
 * block of lanes side by side that meet again below. The definition stays a graph of `next`
 * edges (SPEC §4); this is only how it is drawn, worked out from the graph each time: a block's
 * lanes end where all of them meet (the block node's immediate post-dominator), a fork's meeting
 * point is its join. Any graph can be drawn: an edge into a node already drawn elsewhere shows as
 * "转到 …", an edge to an end inside a lane as "流程结束", an edge to no node as missing.
 */

/** One edge of the graph: the node it leaves and the field that holds its target (`next`, `branches.0.next`, `default`, `branches.1`). */
export interface Edge {
  from: string;
  field: string;
}

/** Items of a lane. `edges` are the edges into the item from above: a node inserted before it takes them. */
export type LaneItem =
  | { kind: 'node'; id: string; edges: Edge[] }
  | { kind: 'condition'; id: string; edges: Edge[]; branches: Lane[]; otherwise?: Lane; merge: string | null }
  | { kind: 'parallel'; id: string; edges: Edge[]; branches: Lane[]; join: string | null }
  | { kind: 'goto'; id: string; edges: Edge[] }
  | { kind: 'end_ref'; id: string; edges: Edge[] }
  | { kind: 'missing'; id: string; edges: Edge[] };

/** A column of items; `exits` are the edges that leave its last item for the point where the lane ends (a node inserted at its bottom takes them). */
export interface Lane {
  /** The edges that lead into the lane (a branch's own edge), whether or not it has items. */
  entry: Edge[];
  /** Where the lane ends: the node where it meets the block's other lanes (null: at the end, or the main lane). */
  stop: string | null;
  items: LaneItem[];
  exits: Edge[];
}

export interface FlowLayout {
  main: Lane;
  /** Every node drawn as a box (not as a 转到 or 流程结束 reference), in drawing order. */
  placed: string[];
}

const EXIT = '\u0000exit';

export const nodeMap = (definition: FlowDefinition) => new Map(definition.nodes.map((n) => [n.id, n] as const));

/** Each node's immediate post-dominator: where every path from it meets again (EXIT: only at the end). */
export function immediatePostDominators(definition: FlowDefinition): Map<string, string> {
  const byId = nodeMap(definition);
  const ids = [...byId.keys()];
  const targets = (id: string) =>
    outgoing(byId.get(id)!)
      .map((e) => e.target)
      .filter((t) => byId.has(t));
  const exits = (id: string) => byId.get(id)!.type === 'end' || targets(id).length === 0;
  // A node caught in a cycle with no way to an end (a draft half built) is given one, so it does not hide the meeting points around it.
  const reachesExit = new Set(ids.filter(exits));
  for (let grown = true; grown;) {
    grown = false;
    for (const id of ids) if (!reachesExit.has(id) && targets(id).some((t) => reachesExit.has(t))) grown = reachesExit.add(id) !== undefined;
  }
  const successorsOf = (id: string) => (exits(id) ? [EXIT] : reachesExit.has(id) ? targets(id) : [...targets(id), EXIT]);
  const all = new Set([...ids, EXIT]);
  const pdom = new Map<string, Set<string>>(ids.map((id) => [id, new Set(all)]));
  pdom.set(EXIT, new Set([EXIT]));
  for (let changed = true; changed;) {
    changed = false;
    for (const id of ids) {
      const sets = successorsOf(id).map((s) => pdom.get(s)!);
      const meet = new Set<string>([id]);
      for (const candidate of sets[0] ?? []) if (sets.every((s) => s.has(candidate))) meet.add(candidate);
      if (meet.size !== pdom.get(id)!.size) {
        pdom.set(id, meet);
        changed = true;
      }
    }
  }
  const immediate = new Map<string, string>();
  for (const id of ids) {
    const strict = [...pdom.get(id)!].filter((d) => d !== id);
    // Post-dominators form a chain: the nearest one is post-dominated by all the others.
    const nearest = strict.find((d) => pdom.get(d)!.size === strict.length) ?? EXIT;
    immediate.set(id, nearest);
  }
  return immediate;
}

export function layoutFlow(definition: FlowDefinition): FlowLayout {
  const byId = nodeMap(definition);
  const ipdom = immediatePostDominators(definition);
  const placed: string[] = [];
  const isPlaced = new Set<string>();
  const place = (id: string) => (isPlaced.add(id), placed.push(id));
  const meetingPoint = (id: string) => {
    const d = ipdom.get(id);
    return d === undefined || d === EXIT ? null : d;
  };

  const lane = (entry: Edge[], target: string | undefined, stop: string | null, main: boolean): Lane => {
    const items: LaneItem[] = [];
    let edges = entry;
    let current = target;
    while (current !== undefined && current !== stop) {
      const node = byId.get(current);
      if (!node) {
        items.push({ kind: 'missing', id: current, edges });
        return { entry, stop, items, exits: [] };
      }
      if (isPlaced.has(current)) {
        items.push({ kind: 'goto', id: current, edges });
        return { entry, stop, items, exits: [] };
      }
      if (node.type === 'end' && !main) {
        items.push({ kind: 'end_ref', id: current, edges });
        return { entry, stop, items, exits: [] };
      }
      place(current);
      if (node.type === 'condition') {
        const merge = meetingPoint(node.id);
        const lanes = outgoing(node).map(({ field, target }) => ({ field, lane: lane([{ from: node.id, field }], target, merge, false) }));
        const branches = lanes.filter((l) => l.field !== 'default').map((l) => l.lane);
        const otherwise = lanes.find((l) => l.field === 'default')?.lane;
        items.push({ kind: 'condition', id: node.id, edges, branches, ...(otherwise ? { otherwise } : {}), merge });
        edges = [...branches, ...(otherwise ? [otherwise] : [])].flatMap((l) => l.exits);
        current = merge ?? undefined;
      } else if (node.type === 'parallel') {
        const merge = meetingPoint(node.id);
        const branches = outgoing(node).map(({ field, target }) => lane([{ from: node.id, field }], target, merge, false));
        const joinNode = merge !== null ? byId.get(merge) : undefined;
        if (joinNode?.type === 'join' && !isPlaced.has(joinNode.id)) {
          place(joinNode.id);
          items.push({ kind: 'parallel', id: node.id, edges, branches, join: joinNode.id });
          edges = [{ from: joinNode.id, field: 'next' }];
          current = joinNode.next;
        } else {
          items.push({ kind: 'parallel', id: node.id, edges, branches, join: null });
          edges = branches.flatMap((l) => l.exits);
          current = merge ?? undefined;
        }
      } else {
        items.push({ kind: 'node', id: node.id, edges });
        if (node.type === 'end') return { entry, stop, items, exits: [] };
        edges = [{ from: node.id, field: 'next' }];
        current = node.next;
      }
    }
    return { entry, stop, items, exits: current === undefined ? [] : edges };
  };

  const start = definition.nodes.find((n) => n.type === 'start');
  const main = lane([], start?.id, null, true);
  // Nodes no path from the start reaches (a draft being rebuilt) are drawn below, each from itself.
  for (const node of definition.nodes) {
    if (isPlaced.has(node.id)) continue;
    const rest = lane([], node.id, null, true);
    main.items.push(...rest.items);
  }
  return { main, placed };
}

/** Where an item sits: its lane and index, searching into blocks. */
export function findItem(lane: Lane, id: string): { lane: Lane; index: number } | undefined {
  for (const [index, item] of lane.items.entries()) {
    if ((item.kind === 'node' || item.kind === 'condition' || item.kind === 'parallel') && item.id === id) return { lane, index };
    if (item.kind === 'condition' || item.kind === 'parallel') {
      for (const inner of [...item.branches, ...(item.kind === 'condition' && item.otherwise ? [item.otherwise] : [])]) {
        const found = findItem(inner, id);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** The nodes drawn as boxes inside a lane (blocks included, with their joins), which deleting the lane deletes. */
export function nodesOfLane(lane: Lane): string[] {
  return lane.items.flatMap((item) => {
    if (item.kind === 'node') return [item.id];
    if (item.kind === 'condition') return [item.id, ...[...item.branches, ...(item.otherwise ? [item.otherwise] : [])].flatMap(nodesOfLane)];
    if (item.kind === 'parallel') return [item.id, ...item.branches.flatMap(nodesOfLane), ...(item.join ? [item.join] : [])];
    return [];
  });
}

/** The edges leaving an item downwards (a node inserted right after it takes them). */
export function edgesAfter(lane: Lane, index: number): Edge[] {
  const next = lane.items[index + 1];
  return next ? next.edges : lane.exits;
}

export type { FlowNode };
