import type { FlowDefinition } from './dsl';
import { parseDefinitionForPublish, parseDefinitionShape } from './parse-definition';

const valid: FlowDefinition = {
  code: 'purchase_order',
  name: '采购订单审批',
  form: { fields: [{ key: 'amount', type: 'number' }] },
  nodes: [
    { id: 'start', type: 'start', next: 'mgr' },
    { id: 'mgr', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'any', next: 'end' },
    { id: 'end', type: 'end' },
  ],
};

function withNodes(nodes: unknown[]): unknown {
  return { ...valid, nodes };
}

describe('definition validation', () => {
  it('accepts a valid definition', () => {
    expect(parseDefinitionForPublish(valid)).toEqual({ ok: true, definition: valid });
  });

  it('names node and field for schema problems', () => {
    const result = parseDefinitionShape(
      withNodes([
        { id: 'start', type: 'start', next: 'mgr' },
        { id: 'mgr', type: 'approval', approvers: { type: 'users', ids: [] }, mode: 'majority', next: 'end' },
        { id: 'end', type: 'wormhole' },
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { nodeId: 'mgr', field: 'approvers.ids', message: expect.any(String) },
        { nodeId: 'mgr', field: 'mode', message: expect.any(String) },
        { nodeId: 'end', field: 'type', message: expect.any(String) },
      ]),
    );
  });

  it('names the definition field for problems outside nodes', () => {
    const result = parseDefinitionShape({ ...valid, code: 'Bad Code' });
    expect(result).toEqual({ ok: false, problems: [{ nodeId: null, field: 'code', message: expect.any(String) }] });
  });

  describe('form field options', () => {
    const withFields = (fields: unknown[]) => ({ ...valid, form: { fields } });

    it('keeps the options of a string field', () => {
      const fields = [{ key: 'kind', type: 'string', options: ['office', 'travel'] }];
      expect(parseDefinitionShape(withFields(fields))).toEqual({ ok: true, definition: withFields(fields) });
    });

    it('refuses options on a field that is not a string, naming the field', () => {
      expect(parseDefinitionShape(withFields([{ key: 'amount', type: 'number', options: ['1'] }]))).toEqual({
        ok: false,
        problems: [{ nodeId: null, field: 'form.fields.0.options', message: 'only a string field may have options (this one is number)' }],
      });
    });

    it('refuses repeated options', () => {
      expect(parseDefinitionShape(withFields([{ key: 'kind', type: 'string', options: ['a', 'b', 'a'] }]))).toEqual({
        ok: false,
        problems: [{ nodeId: null, field: 'form.fields.0.options', message: 'must not repeat an option: a' }],
      });
    });

    it.each([
      ['an empty list', []],
      ['an empty option', ['']],
      ['an option of 129 characters', ['x'.repeat(129)]],
      ['101 options', Array.from({ length: 101 }, (_, i) => `o${i}`)],
    ])('refuses %s', (_name, options) => {
      const result = parseDefinitionShape(withFields([{ key: 'kind', type: 'string', options }]));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.map((p) => p.field.startsWith('form.fields.0.options'))).toEqual([true]);
    });
  });

  const graphCases: Array<[string, unknown[], Array<{ nodeId: string | null; field: string }>]> = [
    [
      'an unknown next',
      [
        { id: 'start', type: 'start', next: 'mgr' },
        { id: 'mgr', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'any', next: 'cfo' },
        { id: 'end', type: 'end' },
      ],
      [{ nodeId: 'mgr', field: 'next' }],
    ],
    [
      'duplicate ids',
      [
        { id: 'start', type: 'start', next: 'end' },
        { id: 'end', type: 'end' },
        { id: 'end', type: 'end' },
      ],
      [{ nodeId: 'end', field: 'id' }],
    ],
    [
      'two starts',
      [
        { id: 's1', type: 'start', next: 'end' },
        { id: 's2', type: 'start', next: 'end' },
        { id: 'end', type: 'end' },
      ],
      [{ nodeId: null, field: 'nodes' }],
    ],
    [
      'no end',
      [
        { id: 'start', type: 'start', next: 'a' },
        { id: 'a', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'any', next: 'start' },
      ],
      [
        { nodeId: null, field: 'nodes' },
        { nodeId: 'a', field: 'next' },
      ],
    ],
    [
      'a cycle',
      [
        { id: 'start', type: 'start', next: 'a' },
        { id: 'a', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'any', next: 'b' },
        { id: 'b', type: 'approval', approvers: { type: 'users', ids: ['u2'] }, mode: 'any', next: 'a' },
        { id: 'end', type: 'end' },
      ],
      [
        { nodeId: 'end', field: 'id' },
        { nodeId: 'b', field: 'next' },
        { nodeId: 'start', field: 'next' },
        { nodeId: 'a', field: 'next' },
        { nodeId: 'b', field: 'next' },
      ],
    ],
    [
      'an unreachable node',
      [
        { id: 'start', type: 'start', next: 'end' },
        { id: 'orphan', type: 'approval', approvers: { type: 'users', ids: ['u1'] }, mode: 'any', next: 'end' },
        { id: 'end', type: 'end' },
      ],
      [{ nodeId: 'orphan', field: 'id' }],
    ],
  ];

  it.each(graphCases)('reports %s, naming node and field', (_name, nodes, expected) => {
    const result = parseDefinitionForPublish(withNodes(nodes));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => ({ nodeId: p.nodeId, field: p.field }))).toEqual(expected);
    for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(0);
  });
});
