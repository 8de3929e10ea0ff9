import type { FormField } from './dsl';
import { validateForm } from './form';

describe('validateForm', () => {
  const fields: FormField[] = [
    { key: 'amount', type: 'number', required: true },
    { key: 'title', type: 'string' },
    { key: 'urgent', type: 'boolean' },
    { key: 'due', type: 'date' },
  ];

  it('accepts well-typed values and absent optional fields', () => {
    expect(validateForm(fields, { amount: 10, title: 't', urgent: false, due: '2026-12-01' })).toEqual([]);
    expect(validateForm(fields, { amount: 0 })).toEqual([]);
    expect(validateForm(fields, { amount: 1, title: null })).toEqual([]);
  });

  it.each(['2026-12-01', '2026-12-01T10:00', '2026-12-01T10:00:00Z', '2026-12-01 10:00:00.123+08:00', '2026-12-01T10:00:00+0800'])(
    'accepts the date %s',
    (due) => {
      expect(validateForm(fields, { amount: 1, due })).toEqual([]);
    },
  );

  it.each(['12/01/2026', '2026-13-01', '2026-12-01T25:00', 'tomorrow', ''])('refuses the date %j', (due) => {
    expect(validateForm(fields, { amount: 1, due })).toEqual([{ field: 'form.due', message: 'must be an ISO 8601 date' }]);
  });

  it('names every wrong or missing field', () => {
    expect(validateForm(fields, { title: 3, urgent: 'yes', due: '12/01/2026' })).toEqual([
      { field: 'form.amount', message: 'is required' },
      { field: 'form.title', message: 'must be a string' },
      { field: 'form.urgent', message: 'must be true or false' },
      { field: 'form.due', message: 'must be an ISO 8601 date' },
    ]);
    expect(validateForm(fields, { amount: null })).toEqual([{ field: 'form.amount', message: 'is required' }]);
  });

  it('refuses numbers that are not finite and numbers given as strings', () => {
    expect(validateForm(fields, { amount: Number.NaN })).toEqual([{ field: 'form.amount', message: 'must be a finite number' }]);
    expect(validateForm(fields, { amount: Number.POSITIVE_INFINITY })).toEqual([{ field: 'form.amount', message: 'must be a finite number' }]);
    expect(validateForm(fields, { amount: '10' })).toEqual([{ field: 'form.amount', message: 'must be a finite number' }]);
  });

  it('takes only one of its options for a field that has them', () => {
    const choice: FormField[] = [{ key: 'kind', type: 'string', required: true, options: ['office', 'travel'] }];
    expect(validateForm(choice, { kind: 'travel' })).toEqual([]);
    expect(validateForm(choice, { kind: 'party' })).toEqual([{ field: 'form.kind', message: 'must be one of: office, travel' }]);
    expect(validateForm(choice, { kind: 'Travel' })).toEqual([{ field: 'form.kind', message: 'must be one of: office, travel' }]);
    expect(validateForm(choice, { kind: 3 })).toEqual([{ field: 'form.kind', message: 'must be a string' }]);
    expect(validateForm(choice, {})).toEqual([{ field: 'form.kind', message: 'is required' }]);
    expect(validateForm([{ ...choice[0]!, required: false }], { kind: null })).toEqual([]);
  });

  it('ignores values for fields the flow does not declare', () => {
    expect(validateForm(fields, { amount: 1, extra: { nested: true } })).toEqual([]);
  });
});
