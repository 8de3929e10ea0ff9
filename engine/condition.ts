import type { FormField, FormValues } from './dsl';

/**
 * Branch conditions (SPEC §4) and their evaluator: a tree walk over a closed set of operators,
 * never `eval` / `Function`. Comparison is strict about types: a number only compares with a
 * number, so `"100" > 20` is false rather than coerced.
 */
export const CONDITION_OPS = ['==', '!=', '>', '>=', '<', '<=', 'in', 'not_in', 'contains', 'starts_with', 'is_empty'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface ConditionLeaf {
  field: string;
  op: ConditionOp;
  value?: unknown;
}
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | ConditionLeaf;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Numbers compare as numbers, strings (dates included: ISO strings sort in time order) as strings. */
function compare(left: unknown, right: unknown): number | null {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  return null;
}

function equals(left: unknown, right: unknown): boolean {
  return left === right;
}

function evaluateLeaf(leaf: ConditionLeaf, form: FormValues): boolean {
  const actual = Object.hasOwn(form, leaf.field) ? form[leaf.field] : undefined;
  const expected = leaf.value;
  switch (leaf.op) {
    case 'is_empty':
      return isEmpty(actual);
    case '==':
      return equals(actual, expected);
    case '!=':
      return !equals(actual, expected);
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const order = compare(actual, expected);
      if (order === null) return false;
      return leaf.op === '>' ? order > 0 : leaf.op === '>=' ? order >= 0 : leaf.op === '<' ? order < 0 : order <= 0;
    }
    case 'in':
      return Array.isArray(expected) && expected.some((candidate) => equals(actual, candidate));
    case 'not_in':
      return Array.isArray(expected) && !expected.some((candidate) => equals(actual, candidate));
    case 'contains':
      if (typeof actual === 'string' && typeof expected === 'string') return actual.includes(expected);
      if (Array.isArray(actual)) return actual.some((item) => equals(item, expected));
      return false;
    case 'starts_with':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
  }
}

export function evaluateCondition(condition: Condition, form: FormValues): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, form));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, form));
  if ('not' in condition) return !evaluateCondition(condition.not, form);
  return evaluateLeaf(condition, form);
}

export interface ConditionProblem {
  /** Where in the condition, e.g. `all.1.field`. */
  path: string;
  message: string;
}

const VALUE_TYPES: Record<FormField['type'], string> = { number: 'number', string: 'string', boolean: 'boolean', date: 'string' };

/** Publish-time checks: every field exists in the form, and each value fits its operator and field type. */
export function checkCondition(condition: Condition, fields: FormField[], path = ''): ConditionProblem[] {
  const at = (suffix: string) => (path ? `${path}.${suffix}` : suffix);
  if ('all' in condition) return condition.all.flatMap((c, i) => checkCondition(c, fields, at(`all.${i}`)));
  if ('any' in condition) return condition.any.flatMap((c, i) => checkCondition(c, fields, at(`any.${i}`)));
  if ('not' in condition) return checkCondition(condition.not, fields, at('not'));

  const field = fields.find((f) => f.key === condition.field);
  if (!field) return [{ path: at('field'), message: `form has no field "${condition.field}"` }];
  const expectedType = VALUE_TYPES[field.type];
  const { op, value } = condition;
  const problem = (message: string) => [{ path: at('value'), message }];
  switch (op) {
    case 'is_empty':
      return value === undefined ? [] : problem('"is_empty" takes no value');
    case 'in':
    case 'not_in':
      if (!Array.isArray(value)) return problem(`"${op}" needs a list of values`);
      return value.every((v) => typeof v === expectedType) ? [] : problem(`every value must be a ${expectedType}, like field "${field.key}"`);
    case '>':
    case '>=':
    case '<':
    case '<=':
      if (field.type === 'boolean') return problem(`"${op}" does not apply to boolean field "${field.key}"`);
      return typeof value === expectedType ? [] : problem(`must be a ${expectedType}, like field "${field.key}"`);
    case 'contains':
    case 'starts_with':
      if (field.type !== 'string') return problem(`"${op}" applies to string fields only`);
      return typeof value === 'string' ? [] : problem('must be a string');
    case '==':
    case '!=':
      return typeof value === expectedType ? [] : problem(`must be a ${expectedType}, like field "${field.key}"`);
  }
}
