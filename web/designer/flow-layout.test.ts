import type { FlowDefinition } from '../../engine/dsl';
import { parseDefinitionForPublish } from '../../engine/parse-definition';
import { storedDefinitions } from '../../test/support/stored-definitions';
import {
  addBranch,
  addDefault,
  continueInstead,
  EditRefused,
  endHere,
  insertNode,
  moveBranch,
  moveNode,
  removeBranch,
  removeItem,
  renameNode,
} from './flow-edits';
import { findItem, layoutFlow, type LaneItem } from './flow-layout';

const demo = storedDefinitions()[0]!.definition;

/** Items of the main lane as `kind:id`, blocks with their lanes. */
function shape(items: LaneItem[]): unknown[] {
  return items.map((item) => {
    if (item.kind === 'condition') return { [item.id]: [...item.branches, ...(item.otherwise ? [item.otherwise] : [])].map((l) => shape(l.items)) };
    if (item.kind === 'parallel') return { [item.id]: item.branches.map((l) => shape(l.items)), join: item.join };
    return `${item.kind}:${item.id}`;
  });
}

describe('the designer’s picture of a flow', () => {
  it.each(storedDefinitions().map((s) => [s.source, s.definition] as const))('draws every node of %s exactly once', (_source, definition) => {
    const { placed } = layoutFlow(definition);
    expect([...placed].sort()).toEqual(definition.nodes.map((n) => n.id).sort());
  });

  it('draws the demo flow as DingTalk does: a column, the amount branch as a block that meets again at the cc', () => {
    expect(shape(layoutFlow(demo).main.items)).toEqual([
      'node:start',
      'node:manager',
      'node:reserve',
      { by_amount: [['node:cfo'], []] },
      'node:notify',
      'node:end',
    ]);
  });

  it('shows a branch that ends the flow on its own, a second way into a node drawn already, and a missing node as references', () => {
    const approval = (id: string, next: string) => ({ id, type: 'approval' as const, approvers: { type: 'initiator' as const }, mode: 'any' as const, next });
    const definition: FlowDefinition = {
      code: 'refs',
      name: 'refs',
      form: { fields: [{ key: 'amount', type: 'number' }] },
      nodes: [
        { id: 'start', type: 'start', next: 'route' },
        { id: 'route', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'rejected' }], default: 'a' },
        approval('a', 'b'),
        approval('b', 'a'),
        { id: 'rejected', type: 'end' },
        { id: 'end', type: 'end' },
        approval('c', 'ghost'),
      ],
    };
    expect(shape(layoutFlow(definition).main.items)).toEqual([
      'node:start',
      { route: [['end_ref:rejected'], ['node:a', 'node:b', 'goto:a']] },
      // What the start's column does not reach is drawn below it, in the definition's order.
      'node:rejected',
      'node:end',
      'node:c',
      'missing:ghost',
    ]);
  });
});

describe('the designer’s edits', () => {
  const edgesBefore = (definition: FlowDefinition, id: string) => {
    const found = findItem(layoutFlow(definition).main, id)!;
    return found.lane.items[found.index]!.edges;
  };

  it('inserts a box on a "+" and removing it gives the flow back exactly', () => {
    for (const kind of ['approval', 'cc', 'service', 'condition', 'parallel'] as const) {
      const { definition, id } = insertNode(demo, edgesBefore(demo, 'notify'), kind);
      expect(definition.nodes.map((n) => n.id)).toContain(id);
      expect(layoutFlow(definition).placed.sort()).toEqual(definition.nodes.map((n) => n.id).sort());
      expect(removeItem(definition, id)).toEqual(demo);
    }
  });

  it('inserting after a condition block takes the edges of every lane that meets below it', () => {
    const edges = edgesBefore(demo, 'notify');
    expect(edges).toEqual([
      { from: 'cfo', field: 'next' },
      { from: 'by_amount', field: 'default' },
    ]);
    const { definition, id } = insertNode(demo, edges, 'cc');
    const byId = new Map(definition.nodes.map((n) => [n.id, n]));
    expect(byId.get('cfo')).toMatchObject({ next: id });
    expect(byId.get('by_amount')).toMatchObject({ default: id });
    expect(byId.get(id)).toMatchObject({ next: 'notify' });
  });

  it('a new fork is publishable once its approvers are set, and a new condition once it has a condition', () => {
    const forked = insertNode(demo, edgesBefore(demo, 'notify'), 'parallel').definition;
    const filled = {
      ...forked,
      nodes: forked.nodes.map((n) =>
        n.type === 'approval' && n.approvers.type === 'users' && n.approvers.ids.length === 0 ? { ...n, approvers: { type: 'initiator' as const } } : n,
      ),
    };
    expect(parseDefinitionForPublish(filled)).toMatchObject({ ok: true });
    const branched = insertNode(demo, edgesBefore(demo, 'notify'), 'condition');
    const node = branched.definition.nodes.find((n) => n.id === branched.id)!;
    if (node.type !== 'condition') throw new Error('not a condition');
    node.branches[0]!.when = { all: [{ field: 'amount', op: '>', value: 5 }] };
    expect(parseDefinitionForPublish(branched.definition)).toMatchObject({ ok: true });
  });

  it('moves a box up and down its lane, past a whole block', () => {
    const down = moveNode(demo, 'manager', 'down');
    expect(shape(layoutFlow(down).main.items).slice(1, 3)).toEqual(['node:reserve', 'node:manager']);
    expect(moveNode(down, 'manager', 'up')).toEqual(demo);
    const pastBlock = moveNode(demo, 'notify', 'up');
    expect(shape(layoutFlow(pastBlock).main.items)).toEqual([
      'node:start',
      'node:manager',
      'node:reserve',
      'node:notify',
      { by_amount: [['node:cfo'], []] },
      'node:end',
    ]);
    expect(parseDefinitionForPublish(pastBlock)).toMatchObject({ ok: true });
    expect(() => moveNode(demo, 'manager', 'up')).toThrow(EditRefused);
  });

  it('adds, reorders and removes branches; a condition keeps one branch, a fork two', () => {
    const two = addBranch(demo, 'by_amount');
    const node = two.nodes.find((n) => n.id === 'by_amount')!;
    expect(node).toMatchObject({ branches: [{ next: 'cfo' }, { next: 'notify' }], default: 'notify' });
    const swapped = moveBranch(two, 'by_amount', 0, 'right');
    expect(swapped.nodes.find((n) => n.id === 'by_amount')).toMatchObject({ branches: [{ next: 'notify' }, { next: 'cfo' }] });
    const withoutCfo = removeBranch(two, 'by_amount', 0);
    expect(withoutCfo.nodes.map((n) => n.id)).not.toContain('cfo');
    expect(() => removeBranch(demo, 'by_amount', 0)).toThrow(EditRefused);
    expect(() => removeBranch(demo, 'by_amount', -1)).toThrow(EditRefused);
    const noDefault = addBranch(demo, 'by_amount');
    const node2 = noDefault.nodes.find((n) => n.id === 'by_amount')!;
    if (node2.type === 'condition') delete node2.default;
    expect(addDefault(noDefault, 'by_amount').nodes.find((n) => n.id === 'by_amount')).toMatchObject({ default: 'notify' });
  });

  it('removing a block removes what is in its lanes and joins the flow again below it', () => {
    const without = removeItem(demo, 'by_amount');
    expect(without.nodes.map((n) => n.id)).toEqual(['start', 'manager', 'reserve', 'notify', 'end']);
    expect(without.nodes.find((n) => n.id === 'reserve')).toMatchObject({ next: 'notify' });
    expect(() => removeItem(demo, 'start')).toThrow(EditRefused);
  });

  it('renames a node and every edge into it follows', () => {
    const renamed = renameNode(demo, 'cfo', 'cfo_approval');
    expect(renamed.nodes.find((n) => n.id === 'by_amount')).toMatchObject({ branches: [{ next: 'cfo_approval' }] });
    expect(renamed.nodes.map((n) => n.id)).toContain('cfo_approval');
    expect(parseDefinitionForPublish(renamed)).toMatchObject({ ok: true });
    expect(renameNode(renamed, 'cfo_approval', 'cfo')).toEqual(demo);
    expect(() => renameNode(demo, 'cfo', 'manager')).toThrow(EditRefused);
    expect(() => renameNode(demo, 'cfo', '1bad')).toThrow(EditRefused);
  });

  it('ends a branch early, and takes the early end back', () => {
    const lane = (d: FlowDefinition) => {
      const block = layoutFlow(d).main.items.find((i) => i.id === 'by_amount');
      if (block?.kind !== 'condition') throw new Error('no block');
      return block.branches[0]!;
    };
    const ended = endHere(demo, lane(demo).exits);
    expect(ended.nodes.find((n) => n.id === 'cfo')).toMatchObject({ next: 'end' });
    // Both lanes now meet only at the end: the cc is the default lane's own.
    expect(shape(layoutFlow(ended).main.items)).toEqual([
      'node:start',
      'node:manager',
      'node:reserve',
      { by_amount: [['node:cfo'], ['node:notify']] },
      'node:end',
    ]);
    expect(parseDefinitionForPublish(ended)).toMatchObject({ ok: true });
    expect(continueInstead(ended, [{ from: 'cfo', field: 'next' }], 'notify')).toEqual(demo);
  });
});
