import { CONDITION_OPS, checkCondition, evaluateCondition, type Condition, type ConditionLeaf } from './condition';
import type { FormField } from './dsl';

const leaf = (field: string, op: ConditionLeaf['op'], value?: unknown): ConditionLeaf => (value === undefined ? { field, op } : { field, op, value });

describe('evaluateCondition: leaves', () => {
  const form = {
    amount: 5000,
    zero: 0,
    title: 'Laptop for Ann',
    blank: '   ',
    empty: '',
    tags: ['it', 'hardware'],
    noTags: [],
    urgent: true,
    notUrgent: false,
    due: '2026-03-15',
    nothing: null,
  };
  const cases: Array<[ConditionLeaf, boolean]> = [
    [leaf('amount', '==', 5000), true],
    [leaf('amount', '==', 5001), false],
    [leaf('amount', '==', '5000'), false],
    [leaf('amount', '!=', 5001), true],
    [leaf('amount', '!=', '5000'), true],
    [leaf('urgent', '==', true), true],
    [leaf('notUrgent', '==', false), true],
    [leaf('missing', '==', undefined), true],
    [leaf('missing', '!=', 1), true],
    [leaf('amount', '>', 4999), true],
    [leaf('amount', '>', 5000), false],
    [leaf('amount', '>=', 5000), true],
    [leaf('amount', '<', 5000), false],
    [leaf('amount', '<=', 5000), true],
    [leaf('amount', '<', 10000), true],
    // strict about types: no coercion either way
    [leaf('amount', '>', '20'), false],
    [leaf('amount', '<', '99999'), false],
    [leaf('title', '>', 5), false],
    [leaf('missing', '<', 10), false],
    [leaf('missing', '>=', 0), false],
    [leaf('urgent', '>', false), false],
    // strings and dates compare as strings
    [leaf('title', '>', 'Apple'), true],
    [leaf('title', '<', 'Apple'), false],
    [leaf('due', '>', '2026-03-01'), true],
    [leaf('due', '<=', '2026-03-15'), true],
    [leaf('due', '<', '2026-03-14'), false],
    [leaf('category', 'in', ['it']), false],
    [leaf('amount', 'in', [1, 5000]), true],
    [leaf('amount', 'in', ['5000']), false],
    [leaf('amount', 'in', 5000), false],
    [leaf('amount', 'not_in', [1, 2]), true],
    [leaf('amount', 'not_in', [5000]), false],
    [leaf('amount', 'not_in', 1), false],
    [leaf('title', 'contains', 'Ann'), true],
    [leaf('title', 'contains', 'ann'), false],
    [leaf('tags', 'contains', 'it'), true],
    [leaf('tags', 'contains', 'finance'), false],
    [leaf('amount', 'contains', 5), false],
    [leaf('title', 'contains', 5), false],
    [leaf('title', 'starts_with', 'Laptop'), true],
    [leaf('title', 'starts_with', 'Ann'), false],
    [leaf('amount', 'starts_with', '5'), false],
    [leaf('missing', 'is_empty'), true],
    [leaf('nothing', 'is_empty'), true],
    [leaf('empty', 'is_empty'), true],
    [leaf('blank', 'is_empty'), true],
    [leaf('noTags', 'is_empty'), true],
    [leaf('zero', 'is_empty'), false],
    [leaf('notUrgent', 'is_empty'), false],
    [leaf('title', 'is_empty'), false],
    [leaf('tags', 'is_empty'), false],
  ];
  it.each(cases)('%j is %s', (condition, expected) => {
    expect(evaluateCondition(condition, form)).toBe(expected);
  });

  it('never reads inherited properties of the form', () => {
    expect(evaluateCondition(leaf('toString', 'is_empty'), {})).toBe(true);
    expect(evaluateCondition(leaf('constructor', '==', Object), {})).toBe(false);
    expect(evaluateCondition(leaf('__proto__', 'is_empty'), {})).toBe(true);
  });

  it('covers every operator it declares', () => {
    const used = new Set(cases.map(([c]) => c.op));
    expect([...CONDITION_OPS].filter((op) => !used.has(op))).toEqual([]);
  });
});

describe('evaluateCondition: all / any / not', () => {
  const big: Condition = leaf('amount', '>', 10000);
  const it_: Condition = leaf('category', '==', 'it');
  it.each([
    [{ all: [big, it_] }, { amount: 20000, category: 'it' }, true],
    [{ all: [big, it_] }, { amount: 20000, category: 'office' }, false],
    [{ any: [big, it_] }, { amount: 1, category: 'it' }, true],
    [{ any: [big, it_] }, { amount: 1, category: 'office' }, false],
    [{ not: big }, { amount: 1 }, true],
    [{ not: { not: big } }, { amount: 20000 }, true],
    [{ all: [{ any: [big, it_] }, { not: leaf('urgent', '==', true) }] }, { amount: 1, category: 'it', urgent: false }, true],
    [{ all: [{ any: [big, it_] }, { not: leaf('urgent', '==', true) }] }, { amount: 1, category: 'it', urgent: true }, false],
  ] as Array<[Condition, Record<string, unknown>, boolean]>)('%j over %j is %s', (condition, form, expected) => {
    expect(evaluateCondition(condition, form)).toBe(expected);
  });

  it('an empty all is true and an empty any is false (the schema forbids both)', () => {
    expect(evaluateCondition({ all: [] }, {})).toBe(true);
    expect(evaluateCondition({ any: [] }, {})).toBe(false);
  });

  it('does not evaluate strings as code', () => {
    const form = { title: 'process.exit(1)' };
    expect(evaluateCondition(leaf('title', '==', 'process.exit(1)'), form)).toBe(true);
    expect(evaluateCondition(leaf('title', 'contains', '('), form)).toBe(true);
  });
});

describe('checkCondition (publish time)', () => {
  const fields: FormField[] = [
    { key: 'amount', type: 'number' },
    { key: 'category', type: 'string' },
    { key: 'urgent', type: 'boolean' },
    { key: 'due', type: 'date' },
  ];

  it.each([
    leaf('amount', '>', 10),
    leaf('amount', '==', 0),
    leaf('amount', 'in', [1, 2]),
    leaf('amount', 'not_in', []),
    leaf('amount', 'is_empty'),
    leaf('category', 'contains', 'x'),
    leaf('category', 'starts_with', 'x'),
    leaf('category', '<', 'm'),
    leaf('category', 'in', ['a', 'b']),
    leaf('urgent', '==', true),
    leaf('urgent', '!=', false),
    leaf('urgent', 'in', [true]),
    leaf('due', '>=', '2026-01-01'),
    leaf('due', '==', '2026-01-01'),
  ])('accepts %j', (condition) => {
    expect(checkCondition(condition, fields)).toEqual([]);
  });

  it.each([
    [leaf('missing', '==', 1), 'field', /no field "missing"/],
    [leaf('amount', 'is_empty', 1), 'value', /takes no value/],
    [leaf('amount', 'in', 1), 'value', /list/],
    [leaf('amount', 'not_in', 'a'), 'value', /list/],
    [leaf('amount', 'in', [1, '2']), 'value', /number/],
    [leaf('amount', '>', '10'), 'value', /number/],
    [leaf('amount', '<=', undefined), 'value', /number/],
    [leaf('urgent', '>', true), 'value', /boolean/],
    [leaf('due', '<', 20260101), 'value', /string/],
    [leaf('amount', 'contains', 1), 'value', /string fields only/],
    [leaf('urgent', 'starts_with', 't'), 'value', /string fields only/],
    [leaf('category', 'contains', 1), 'value', /must be a string/],
    [leaf('amount', '==', '100'), 'value', /number/],
    [leaf('urgent', '!=', 'true'), 'value', /boolean/],
    [leaf('category', '==', null), 'value', /string/],
  ] as Array<[Condition, string, RegExp]>)('refuses %j at %s', (condition, path, message) => {
    expect(checkCondition(condition, fields)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('names the nested path of every problem', () => {
    const condition: Condition = {
      all: [leaf('amount', '>', 1), { any: [leaf('nope', '==', 1), { not: leaf('amount', '==', 'x') }] }, leaf('category', 'in', 'x')],
    };
    expect(checkCondition(condition, fields).map((p) => p.path)).toEqual(['all.1.any.0.field', 'all.1.any.1.not.value', 'all.2.value']);
  });
});
