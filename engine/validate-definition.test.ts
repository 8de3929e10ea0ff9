import type { FlowDefinition, FlowNode } from './dsl';
import { MAX_DEFINITION_NODES, MAX_FORM_FIELDS } from './limits';
import { parseDefinitionForPublish, parseDefinitionShape } from './parse-definition';
import { outgoing, successors, validateDefinitionGraph } from './validate-definition';

const fields: FlowDefinition['form']['fields'] = [
  { key: 'amount', type: 'number' },
  { key: 'category', type: 'string' },
  { key: 'urgent', type: 'boolean' },
  { key: 'due', type: 'date' },
];

function def(nodes: FlowNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition {
  return { code: 'graph_test', name: 'Graph test', form: { fields }, nodes, ...extra };
}

const start = (next: string): FlowNode => ({ id: 'start', type: 'start', next });
const end = (id = 'end'): FlowNode => ({ id, type: 'end' });
const appr = (id: string, next: string, ids = ['u1']): FlowNode => ({ id, type: 'approval', approvers: { type: 'users', ids }, mode: 'all', next });
const cc = (id: string, next: string): FlowNode => ({ id, type: 'cc', recipients: { type: 'role', role: 'finance' }, next });
const fork = (id: string, branches: string[]): FlowNode => ({ id, type: 'parallel', branches });
const join = (id: string, next: string): FlowNode => ({ id, type: 'join', next });

/** Node id and field of every problem (messages checked separately). */
function where(definition: FlowDefinition): Array<{ nodeId: string | null; field: string }> {
  const problems = validateDefinitionGraph(definition);
  for (const p of problems) expect(p.message.length).toBeGreaterThan(0);
  return problems.map(({ nodeId, field }) => ({ nodeId, field }));
}

describe('outgoing / successors', () => {
  it('names the field of each edge', () => {
    const condition: FlowNode = {
      id: 'c',
      type: 'condition',
      branches: [
        { when: { field: 'amount', op: '>', value: 1 }, next: 'a' },
        { when: { field: 'urgent', op: '==', value: true }, next: 'b' },
      ],
      default: 'd',
    };
    expect(outgoing(condition)).toEqual([
      { field: 'branches.0.next', target: 'a' },
      { field: 'branches.1.next', target: 'b' },
      { field: 'default', target: 'd' },
    ]);
    expect(outgoing(fork('p', ['x', 'y']))).toEqual([
      { field: 'branches.0', target: 'x' },
      { field: 'branches.1', target: 'y' },
    ]);
    expect(successors(appr('a', 'b'))).toEqual(['b']);
    expect(successors(join('j', 'k'))).toEqual(['k']);
    expect(successors(cc('n', 'm'))).toEqual(['m']);
    expect(successors(end())).toEqual([]);
  });
});

describe('validateDefinitionGraph: valid shapes', () => {
  it.each<[string, FlowNode[]]>([
    ['start → end', [start('end'), end()]],
    ['a chain with a cc', [start('a'), appr('a', 'n'), cc('n', 'end'), end()]],
    [
      'a condition with a default',
      [
        start('c'),
        { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1000 }, next: 'big' }], default: 'small' },
        appr('big', 'end'),
        appr('small', 'end'),
        end(),
      ],
    ],
    ['a fork meeting at its join', [start('p'), fork('p', ['a', 'b']), appr('a', 'j'), appr('b', 'j'), join('j', 'end'), end()]],
    ['a fork with a branch straight to the join', [start('p'), fork('p', ['a', 'j']), appr('a', 'j'), join('j', 'end'), end()]],
    [
      'nested forks',
      [
        start('p1'),
        fork('p1', ['p2', 'c']),
        fork('p2', ['a', 'b']),
        appr('a', 'j2'),
        appr('b', 'j2'),
        join('j2', 'j1'),
        appr('c', 'j1'),
        join('j1', 'end'),
        end(),
      ],
    ],
    [
      'two forks one after the other',
      [
        start('p1'),
        fork('p1', ['a', 'b']),
        appr('a', 'j1'),
        appr('b', 'j1'),
        join('j1', 'p2'),
        fork('p2', ['c', 'd']),
        appr('c', 'j2'),
        appr('d', 'j2'),
        join('j2', 'end'),
        end(),
      ],
    ],
    [
      'a condition inside a fork branch',
      [
        start('p'),
        fork('p', ['c', 'b']),
        { id: 'c', type: 'condition', branches: [{ when: { field: 'urgent', op: '==', value: true }, next: 'a' }], default: 'j' },
        appr('a', 'j'),
        appr('b', 'j'),
        join('j', 'end'),
        end(),
      ],
    ],
    [
      'two ends',
      [
        start('c'),
        { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'e1' }], default: 'e2' },
        end('e1'),
        end('e2'),
      ],
    ],
  ])('accepts %s', (_name, nodes) => {
    expect(validateDefinitionGraph(def(nodes))).toEqual([]);
    expect(parseDefinitionForPublish(def(nodes)).ok).toBe(true);
  });
});

describe('validateDefinitionGraph: node rules', () => {
  it('form field keys are unique: the second of a pair is named', () => {
    const twice = def([start('end'), end()], { form: { fields: [...fields, { key: 'amount', type: 'string' }] } });
    expect(validateDefinitionGraph(twice)).toEqual([{ nodeId: null, field: 'form.fields.4.key', message: 'duplicate form field key "amount"' }]);
  });

  it('a condition needs a default', () => {
    const nodes = [
      start('c'),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'a' }] } as FlowNode,
      appr('a', 'end'),
      end(),
    ];
    expect(where(def(nodes))).toEqual([{ nodeId: 'c', field: 'default' }]);
  });

  it('condition fields must exist in the form, naming the branch and the path in it', () => {
    const nodes = [
      start('c'),
      {
        id: 'c',
        type: 'condition',
        branches: [
          { when: { field: 'amount', op: '>', value: 1 }, next: 'a' },
          {
            when: {
              all: [
                { field: 'amount', op: '<', value: 5 },
                { field: 'department', op: '==', value: 'it' },
              ],
            },
            next: 'a',
          },
        ],
        default: 'end',
      } as FlowNode,
      appr('a', 'end'),
      end(),
    ];
    const problems = validateDefinitionGraph(def(nodes));
    expect(problems).toEqual([{ nodeId: 'c', field: 'branches.1.when.all.1.field', message: expect.stringContaining('department') }]);
  });

  it.each<[string, unknown, string]>([
    ['a string against a number field', { field: 'amount', op: '>', value: '1000' }, 'branches.0.when.value'],
    ['an order on a boolean field', { field: 'urgent', op: '>', value: true }, 'branches.0.when.value'],
    ['contains on a number field', { field: 'amount', op: 'contains', value: '1' }, 'branches.0.when.value'],
    ['in without a list', { field: 'category', op: 'in', value: 'it' }, 'branches.0.when.value'],
    ['in with a mistyped item', { field: 'category', op: 'in', value: ['it', 3] }, 'branches.0.when.value'],
    ['is_empty with a value', { field: 'category', op: 'is_empty', value: '' }, 'branches.0.when.value'],
    ['a number against a date field', { field: 'due', op: '<', value: 20260101 }, 'branches.0.when.value'],
    ['a nested not', { not: { field: 'urgent', op: '==', value: 'yes' } }, 'branches.0.when.not.value'],
  ])('condition values must fit the field type: %s', (_name, when, field) => {
    const nodes = [start('c'), { id: 'c', type: 'condition', branches: [{ when, next: 'end' }], default: 'end' } as FlowNode, end()];
    expect(where(def(nodes))).toEqual([{ nodeId: 'c', field }]);
  });

  it('a parallel may not list a branch twice', () => {
    const nodes = [start('p'), fork('p', ['a', 'a']), appr('a', 'j'), join('j', 'end'), end()];
    expect(where(def(nodes))).toEqual([{ nodeId: 'p', field: 'branches' }]);
  });

  it('a vote over named users may not need more approvals than it has approvers', () => {
    const vote: FlowNode = { id: 'v', type: 'approval', approvers: { type: 'users', ids: ['u1', 'u2'] }, mode: 'vote', passCount: 3, next: 'end' };
    expect(where(def([start('v'), vote, end()]))).toEqual([{ nodeId: 'v', field: 'passCount' }]);
    expect(where(def([start('v'), { ...vote, passCount: 2 } as FlowNode, end()]))).toEqual([]);
    // with a role the count is only known at run time
    expect(where(def([start('v'), { ...vote, approvers: { type: 'role', role: 'board' } } as FlowNode, end()]))).toEqual([]);
  });
});

describe('validateDefinitionGraph: edges', () => {
  it('the start node cannot be entered again (a return is an action)', () => {
    const nodes = [start('a'), appr('a', 'start'), end()];
    expect(where(def(nodes))).toEqual(expect.arrayContaining([{ nodeId: 'a', field: 'next' }]));
    const problem = validateDefinitionGraph(def(nodes)).find((p) => p.nodeId === 'a')!;
    expect(problem.message).toMatch(/start node cannot be entered/);
  });

  it('a condition branch into the start node is named by its field', () => {
    const nodes = [
      start('c'),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'start' }], default: 'end' } as FlowNode,
      end(),
    ];
    expect(where(def(nodes))).toEqual([{ nodeId: 'c', field: 'branches.0.next' }]);
  });

  it('a node cannot lead to itself', () => {
    expect(where(def([start('a'), appr('a', 'a'), end()]))).toEqual(expect.arrayContaining([{ nodeId: 'a', field: 'next' }]));
  });

  it('an unknown target in a parallel or a condition default is named', () => {
    expect(where(def([start('p'), fork('p', ['a', 'ghost']), appr('a', 'j'), join('j', 'end'), end()]))).toEqual([{ nodeId: 'p', field: 'branches.1' }]);
    expect(
      where(
        def([
          start('c'),
          { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'end' }], default: 'ghost' } as FlowNode,
          end(),
        ]),
      ),
    ).toEqual([{ nodeId: 'c', field: 'default' }]);
  });

  it('a cycle is reported at the edge that closes it', () => {
    const nodes = [
      start('a'),
      appr('a', 'b'),
      appr('b', 'c'),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'a' }], default: 'end' } as FlowNode,
      end(),
    ];
    const problems = validateDefinitionGraph(def(nodes));
    expect(problems).toEqual([{ nodeId: 'c', field: 'branches.0.next', message: expect.stringMatching(/cycles are not allowed/) }]);
  });

  it('every node must reach an end', () => {
    // a and b lead only to each other: a cycle, and no end from either
    const nodes = [
      start('c'),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 1 }, next: 'a' }], default: 'end' } as FlowNode,
      appr('a', 'b'),
      appr('b', 'a'),
      end(),
    ];
    expect(where(def(nodes))).toEqual(
      expect.arrayContaining([
        { nodeId: 'b', field: 'next' },
        { nodeId: 'a', field: 'next' },
      ]),
    );
  });

  it('an unreachable node is named', () => {
    expect(where(def([start('end'), appr('lost', 'end'), end()]))).toEqual([{ nodeId: 'lost', field: 'id' }]);
  });

  it('a flow without a start or without an end is a problem of the whole definition', () => {
    expect(where(def([appr('a', 'end'), end()]))).toEqual([{ nodeId: null, field: 'nodes' }]);
    expect(where(def([start('a'), appr('a', 'b'), appr('b', 'a')]))).toEqual(expect.arrayContaining([{ nodeId: null, field: 'nodes' }]));
  });
});

describe('validateDefinitionGraph: forks and joins', () => {
  it('an end inside a fork, before its join, is refused', () => {
    const nodes = [start('p'), fork('p', ['a', 'b']), appr('a', 'end'), appr('b', 'j'), join('j', 'end'), end()];
    const problems = validateDefinitionGraph(def(nodes));
    expect(problems.map(({ nodeId, field }) => ({ nodeId, field }))).toEqual([{ nodeId: 'end', field: 'id' }]);
    expect(problems[0]!.message).toMatch(/inside parallel "p"/);
  });

  it('a second end inside a fork is refused', () => {
    const nodes = [start('p'), fork('p', ['a', 'b']), appr('a', 'stop'), appr('b', 'j'), join('j', 'end'), end(), end('stop')];
    expect(where(def(nodes))).toEqual([{ nodeId: 'stop', field: 'id' }]);
  });

  it('a condition inside a fork that may skip the join is refused', () => {
    const nodes = [
      start('p'),
      fork('p', ['c', 'b']),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'urgent', op: '==', value: true }, next: 'stop' }], default: 'j' } as FlowNode,
      appr('b', 'j'),
      join('j', 'end'),
      end(),
      end('stop'),
    ];
    expect(where(def(nodes))).toEqual([{ nodeId: 'stop', field: 'id' }]);
  });

  it('a join outside any fork is refused', () => {
    const nodes = [start('a'), appr('a', 'j'), join('j', 'end'), end()];
    const problems = validateDefinitionGraph(def(nodes));
    expect(problems).toEqual([{ nodeId: 'j', field: 'id', message: expect.stringMatching(/through the branches of a parallel/) }]);
  });

  it("branches that meet at different joins are reported on the fork's branches", () => {
    const nodes = [start('p'), fork('p', ['a', 'b']), appr('a', 'j1'), appr('b', 'j2'), join('j1', 'end'), join('j2', 'end'), end()];
    const problems = validateDefinitionGraph(def(nodes));
    expect(problems).toEqual([{ nodeId: 'p', field: 'branches', message: expect.stringMatching(/different joins/) }]);
  });

  it('a node reached both inside and outside a fork is refused', () => {
    const nodes = [
      start('c'),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'urgent', op: '==', value: true }, next: 'p' }], default: 'shared' } as FlowNode,
      fork('p', ['shared', 'b']),
      appr('shared', 'j'),
      appr('b', 'j'),
      join('j', 'end'),
      end(),
    ];
    const problems = validateDefinitionGraph(def(nodes));
    expect(problems.map(({ nodeId, field }) => ({ nodeId, field }))).toEqual(expect.arrayContaining([{ nodeId: 'shared', field: 'id' }]));
    expect(problems.find((p) => p.nodeId === 'shared')!.message).toMatch(/inside and outside/);
  });

  it('branches that merge before their join are refused (the merged node would run once per branch)', () => {
    const problems = validateDefinitionGraph(
      def([
        { id: 'start', type: 'start', next: 'p' },
        { id: 'p', type: 'parallel', branches: ['a', 'b'] },
        { id: 'a', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'any', next: 'x' },
        { id: 'b', type: 'approval', approvers: { type: 'users', ids: ['u2'] }, mode: 'any', next: 'x' },
        { id: 'x', type: 'approval', approvers: { type: 'users', ids: ['u3'] }, mode: 'any', next: 'j' },
        { id: 'j', type: 'join', next: 'end' },
        { id: 'end', type: 'end' },
      ]),
    );
    expect(problems).toEqual([{ nodeId: 'x', field: 'id', message: expect.stringMatching(/more than one branch of parallel "p"/) }]);
  });

  it('a join shared by two forks is refused', () => {
    const nodes = [
      start('c'),
      { id: 'c', type: 'condition', branches: [{ when: { field: 'urgent', op: '==', value: true }, next: 'p1' }], default: 'p2' } as FlowNode,
      fork('p1', ['a', 'b']),
      fork('p2', ['x', 'y']),
      appr('a', 'j'),
      appr('b', 'j'),
      appr('x', 'j'),
      appr('y', 'j'),
      join('j', 'end'),
      end(),
    ];
    expect(where(def(nodes))).toEqual(expect.arrayContaining([{ nodeId: 'j', field: 'id' }]));
  });

  it('an inner fork that leaves through the outer join is refused', () => {
    const nodes = [start('p1'), fork('p1', ['p2', 'c']), fork('p2', ['a', 'b']), appr('a', 'j1'), appr('b', 'j1'), appr('c', 'j1'), join('j1', 'end'), end()];
    expect(where(def(nodes))).toEqual([
      { nodeId: 'end', field: 'id' },
      { nodeId: 'j1', field: 'id' },
    ]);
  });

  it('fork rules are skipped while the graph has a cycle (the cycle is reported instead)', () => {
    const cyclic = [
      start('p'),
      fork('p', ['a', 'b']),
      appr('a', 'j'),
      appr('b', 'j'),
      join('j', 'x'),
      { id: 'x', type: 'condition', branches: [{ when: { field: 'urgent', op: '==', value: true }, next: 'p' }], default: 'end' } as FlowNode,
      end(),
    ];
    const problems = validateDefinitionGraph(def(cyclic));
    expect(problems).toEqual([{ nodeId: 'x', field: 'branches.0.next', message: expect.stringMatching(/cycles/) }]);
  });
});

describe('parseDefinitionShape: DSL rules', () => {
  const base = { code: 'shape_test', name: 'Shape', form: { fields } };
  const shape = (nodes: unknown[], extra: Record<string, unknown> = {}) => parseDefinitionShape({ ...base, nodes, ...extra });
  const problemsOf = (nodes: unknown[], extra: Record<string, unknown> = {}) => {
    const result = shape(nodes, extra);
    return result.ok ? [] : result.problems.map(({ nodeId, field }) => ({ nodeId, field }));
  };
  const approvalWith = (extra: Record<string, unknown>) => [
    start('a'),
    { id: 'a', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'all', next: 'end', ...extra },
    end(),
  ];

  it('bounds a definition: at most MAX_DEFINITION_NODES nodes and MAX_FORM_FIELDS form fields, each problem naming the bound', () => {
    const chain = (approvals: number) => [
      start('a0'),
      ...Array.from({ length: approvals }, (_, i) => appr(`a${i}`, i + 1 < approvals ? `a${i + 1}` : 'end')),
      end(),
    ];
    expect(shape(chain(MAX_DEFINITION_NODES - 2)).ok).toBe(true);
    expect(shape(chain(MAX_DEFINITION_NODES - 1))).toEqual({
      ok: false,
      problems: [{ nodeId: null, field: 'nodes', message: 'has 201 nodes; at most 200 are allowed' }],
    });
    const formFields = (n: number) => ({ fields: Array.from({ length: n }, (_, i) => ({ key: `f${i}`, type: 'string' })) });
    expect(shape([start('end'), end()], { form: formFields(MAX_FORM_FIELDS) }).ok).toBe(true);
    expect(shape([start('end'), end()], { form: formFields(MAX_FORM_FIELDS + 1) })).toEqual({
      ok: false,
      problems: [{ nodeId: null, field: 'form.fields', message: 'has 201 fields; at most 200 are allowed' }],
    });
  });

  it('defaults the form to no fields', () => {
    const result = parseDefinitionShape({ code: 'x', name: 'X', nodes: [start('end'), end()] });
    expect(result.ok && result.definition.form).toEqual({ fields: [] });
  });

  it.each<[string, Record<string, unknown>, Array<{ nodeId: string; field: string }>]>([
    ['a vote without passRatio or passCount', { mode: 'vote' }, [{ nodeId: 'a', field: 'mode' }]],
    ['a vote with both', { mode: 'vote', passRatio: 0.5, passCount: 1 }, [{ nodeId: 'a', field: 'mode' }]],
    ['a passRatio on another mode', { mode: 'any', passRatio: 0.5 }, [{ nodeId: 'a', field: 'mode' }]],
    ['a passRatio above 1', { mode: 'vote', passRatio: 1.5 }, [{ nodeId: 'a', field: 'passRatio' }]],
    ['a passRatio of 0', { mode: 'vote', passRatio: 0 }, [{ nodeId: 'a', field: 'passRatio' }]],
    ['a passCount of 0', { mode: 'vote', passCount: 0 }, [{ nodeId: 'a', field: 'passCount' }]],
    ['an unknown onEmpty', { onEmpty: 'skip' }, [{ nodeId: 'a', field: 'onEmpty' }]],
    ['an unknown whenApproverIsInitiator', { whenApproverIsInitiator: 'skip' }, [{ nodeId: 'a', field: 'whenApproverIsInitiator' }]],
    ['a month duration', { timeout: { remindAfter: 'P1M' } }, [{ nodeId: 'a', field: 'timeout.remindAfter' }]],
    ['actAfter without action', { timeout: { actAfter: 'PT1H' } }, [{ nodeId: 'a', field: 'timeout.action' }]],
    ['action without actAfter', { timeout: { action: 'approve' } }, [{ nodeId: 'a', field: 'timeout.action' }]],
    ['remindEvery without remindAfter', { timeout: { remindEvery: 'PT1H' } }, [{ nodeId: 'a', field: 'timeout.remindEvery' }]],
    ['an unknown timeout action', { timeout: { actAfter: 'PT1H', action: 'delete' } }, [{ nodeId: 'a', field: 'timeout.action' }]],
    ['manager with levels and untilTitle', { approvers: { type: 'manager', levels: 2, untilTitle: 'VP' } }, [{ nodeId: 'a', field: 'approvers.untilTitle' }]],
    ['manager levels above 20', { approvers: { type: 'manager', levels: 21 } }, [{ nodeId: 'a', field: 'approvers.levels' }]],
    ['an unknown approver type', { approvers: { type: 'astrologer' } }, [{ nodeId: 'a', field: 'approvers.type' }]],
  ])('refuses %s', (_name, extra, expected) => {
    expect(problemsOf(approvalWith(extra))).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a vote with passRatio', { mode: 'vote', passRatio: 0.5 }],
    ['a vote with passCount', { mode: 'vote', passCount: 1 }],
    ['every approver source', { approvers: { type: 'dept_leader', levels: 2 } }],
    ['manager untilTitle', { approvers: { type: 'manager', untilTitle: 'VP' } }],
    ['initiator_select', { approvers: { type: 'initiator_select', multiple: true } }],
    ['initiator', { approvers: { type: 'initiator' } }],
    ['a full timeout', { timeout: { remindAfter: 'PT24H', remindEvery: 'PT24H', actAfter: 'P3D', action: 'escalate' } }],
  ])('accepts %s', (_name, extra) => {
    expect(problemsOf(approvalWith(extra))).toEqual([]);
  });

  it('refuses a parallel with one branch and a condition without branches', () => {
    expect(problemsOf([start('p'), { id: 'p', type: 'parallel', branches: ['a'] }, appr('a', 'end'), end()])).toEqual([{ nodeId: 'p', field: 'branches' }]);
    expect(problemsOf([start('c'), { id: 'c', type: 'condition', branches: [], default: 'end' }, end()])).toEqual([{ nodeId: 'c', field: 'branches' }]);
  });

  it('refuses an unknown condition operator and extra keys in a condition', () => {
    const cond = (when: unknown) => [start('c'), { id: 'c', type: 'condition', branches: [{ when, next: 'end' }], default: 'end' }, end()];
    expect(problemsOf(cond({ field: 'amount', op: '~=', value: 1 }))).toEqual([{ nodeId: 'c', field: expect.stringMatching(/^branches\.0\.when/) }]);
    expect(shape(cond({ field: 'amount', op: '>', value: 1, script: 'x' })).ok).toBe(false);
    expect(shape(cond({ all: [] })).ok).toBe(false);
  });

  it('refuses bad ids and codes', () => {
    expect(problemsOf([start('end'), { id: '1bad', type: 'end' }])).toEqual(expect.arrayContaining([{ nodeId: '1bad', field: 'id' }]));
    expect(problemsOf([start('end'), end()], { code: 'PurchaseOrder' })).toEqual([{ nodeId: null, field: 'code' }]);
    expect(problemsOf([start('end')])).toEqual([{ nodeId: null, field: 'nodes' }]);
  });

  it('parseDefinitionForPublish reports shape problems before graph problems', () => {
    const result = parseDefinitionForPublish({
      ...base,
      nodes: [start('ghost'), { id: 'a', type: 'approval', approvers: { type: 'users', ids: [] }, mode: 'all', next: 'end' }, end()],
    });
    expect(result).toEqual({ ok: false, problems: [{ nodeId: 'a', field: 'approvers.ids', message: expect.any(String) }] });
  });
});
