import type { Condition, ConditionLeaf } from '../../engine/condition';
import type { FormField } from '../../engine/dsl';
import { OP_LABELS } from './labels';

/** Reading a branch condition aloud: "金额 大于 10000 且 类别 属于 办公用品、设备". */

export const isLeaf = (c: Condition): c is ConditionLeaf => 'field' in c;

const valueText = (value: unknown): string => (Array.isArray(value) ? value.map(valueText).join('、') : value === undefined ? '' : String(value));

export function conditionText(condition: Condition, fields: FormField[]): string {
  if (isLeaf(condition)) {
    const label = fields.find((f) => f.key === condition.field)?.label ?? condition.field;
    return condition.op === 'is_empty' ? `${label} 为空` : `${label} ${OP_LABELS[condition.op] ?? condition.op} ${valueText(condition.value)}`;
  }
  if ('not' in condition) return `并非（${conditionText(condition.not, fields)}）`;
  const parts = 'all' in condition ? condition.all : condition.any;
  const joined = parts.map((c) => (isLeaf(c) ? conditionText(c, fields) : `（${conditionText(c, fields)}）`)).join('all' in condition ? ' 且 ' : ' 或 ');
  return joined;
}
