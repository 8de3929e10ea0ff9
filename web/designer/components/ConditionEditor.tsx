import { CONDITION_OPS, type Condition, type ConditionLeaf, type ConditionOp } from '../../../engine/condition';
import type { FormField } from '../../../engine/dsl';
import { isLeaf } from '../conditions';
import { OP_LABELS } from '../labels';
import { ValueBox } from './fields';

/**
 * The condition builder: groups (满足全部 / 满足任一), negation (不满足) and leaves over the
 * form's fields with every operator of SPEC §4. It edits the condition tree as the DSL keeps it.
 */

const LIST_OPS: ConditionOp[] = ['in', 'not_in'];

function parseValue(text: string, field: FormField | undefined): unknown {
  if (field?.type === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (field?.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function ValueInput({
  leaf,
  field,
  onChange,
  path,
}: {
  leaf: ConditionLeaf;
  field: FormField | undefined;
  onChange: (leaf: ConditionLeaf) => void;
  path: string;
}) {
  if (leaf.op === 'is_empty') return null;
  const set = (value: unknown) => onChange({ ...leaf, value });
  if (LIST_OPS.includes(leaf.op)) {
    if (field?.options) {
      const chosen = Array.isArray(leaf.value) ? (leaf.value as unknown[]) : [];
      return (
        <span class="option-list" data-value={path}>
          {field.options.map((o) => (
            <label key={o}>
              <input
                type="checkbox"
                checked={chosen.includes(o)}
                onChange={(e) => set(e.currentTarget.checked ? [...chosen, o] : chosen.filter((c) => c !== o))}
              />
              {o}
            </label>
          ))}
        </span>
      );
    }
    const text = Array.isArray(leaf.value) ? (leaf.value as unknown[]).join('，') : '';
    return (
      <input
        aria-label="取值（用逗号分隔）"
        data-value={path}
        placeholder="多个值用逗号分隔"
        value={text}
        onChange={(e) =>
          set(
            e.currentTarget.value
              .split(/[,，]/)
              .map((s) => s.trim())
              .filter(Boolean)
              .map((s) => parseValue(s, field)),
          )
        }
      />
    );
  }
  if (field?.type === 'boolean')
    return (
      <select aria-label="取值" data-value={path} value={String(leaf.value ?? '')} onChange={(e) => set(parseValue(e.currentTarget.value, field))}>
        <option value="">请选择</option>
        <option value="true">是</option>
        <option value="false">否</option>
      </select>
    );
  if (field?.options && (leaf.op === '==' || leaf.op === '!='))
    return (
      <select aria-label="取值" data-value={path} value={String(leaf.value ?? '')} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">请选择</option>
        {field.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  return (
    <ValueBox
      label="取值"
      path={path}
      fieldType={field?.type}
      value={leaf.value === undefined ? '' : String(leaf.value)}
      onInput={(text) => set(parseValue(text, field))}
    />
  );
}

const newLeaf = (fields: FormField[]): ConditionLeaf => {
  const field = fields[0];
  return field ? { field: field.key, op: field.type === 'number' ? '>' : '==', value: field.type === 'number' ? 0 : '' } : { field: '', op: '==', value: '' };
};

function LeafEditor({ leaf, fields, onChange, path }: { leaf: ConditionLeaf; fields: FormField[]; onChange: (c: ConditionLeaf) => void; path: string }) {
  const field = fields.find((f) => f.key === leaf.field);
  return (
    <span class="leaf" data-leaf={path}>
      <select aria-label="表单字段" value={leaf.field} onChange={(e) => onChange({ ...leaf, field: e.currentTarget.value })}>
        {!field && <option value={leaf.field}>{leaf.field || '请选择字段'}</option>}
        {fields.map((f) => (
          <option key={f.key} value={f.key}>
            {f.label ?? f.key}
          </option>
        ))}
      </select>
      <select
        aria-label="比较方式"
        value={leaf.op}
        onChange={(e) => {
          const op = e.currentTarget.value as ConditionOp;
          const { value, ...rest } = leaf;
          if (op === 'is_empty') onChange({ ...rest, op });
          else if (LIST_OPS.includes(op) !== LIST_OPS.includes(leaf.op)) onChange({ ...rest, op, value: LIST_OPS.includes(op) ? [] : '' });
          else onChange({ ...rest, op, ...(value !== undefined ? { value } : {}) });
        }}
      >
        {CONDITION_OPS.map((op) => (
          <option key={op} value={op}>
            {OP_LABELS[op]}
          </option>
        ))}
      </select>
      <ValueInput leaf={leaf} field={field} onChange={onChange} path={path} />
    </span>
  );
}

export function ConditionEditor({
  condition,
  fields,
  onChange,
  onRemove,
  path = 'when',
}: {
  condition: Condition;
  fields: FormField[];
  onChange: (c: Condition) => void;
  onRemove?: () => void;
  path?: string;
}) {
  const remove = onRemove && (
    <button type="button" class="link danger" aria-label="删除此条件" onClick={onRemove}>
      删除
    </button>
  );
  const negate = (
    <button type="button" class="link" title="取反" onClick={() => onChange('not' in condition ? condition.not : { not: condition })}>
      {'not' in condition ? '取消取反' : '取反'}
    </button>
  );
  if (isLeaf(condition))
    return (
      <div class="condition-row">
        <LeafEditor leaf={condition} fields={fields} onChange={onChange} path={path} />
        {negate}
        {onRemove ? (
          remove
        ) : (
          <button type="button" class="link" onClick={() => onChange({ all: [condition, newLeaf(fields)] })}>
            + 且
          </button>
        )}
      </div>
    );
  if ('not' in condition)
    return (
      <div class="condition-not">
        <div class="group-head">
          <strong>不满足：</strong>
          {negate}
          {remove}
        </div>
        <ConditionEditor condition={condition.not} fields={fields} onChange={(inner) => onChange({ not: inner })} path={`${path}.not`} />
      </div>
    );
  const kind = 'all' in condition ? 'all' : 'any';
  const parts = 'all' in condition ? condition.all : condition.any;
  const setParts = (next: Condition[]) => onChange(kind === 'all' ? { all: next } : { any: next });
  return (
    <div class="condition-group" data-group={path}>
      <div class="group-head">
        <select aria-label="条件组合方式" value={kind} onChange={(e) => onChange(e.currentTarget.value === 'all' ? { all: parts } : { any: parts })}>
          <option value="all">满足以下全部条件</option>
          <option value="any">满足以下任一条件</option>
        </select>
        {negate}
        {remove}
      </div>
      {parts.length === 0 && <p class="hint">请添加条件</p>}
      {parts.map((part, i) => (
        <ConditionEditor
          key={i}
          condition={part}
          fields={fields}
          path={`${path}.${kind}.${i}`}
          onChange={(c) => setParts(parts.map((p, j) => (j === i ? c : p)))}
          onRemove={() => setParts(parts.filter((_, j) => j !== i))}
        />
      ))}
      <div class="group-actions">
        <button type="button" class="link" onClick={() => setParts([...parts, newLeaf(fields)])}>
          + 添加条件
        </button>
        <button type="button" class="link" onClick={() => setParts([...parts, { [kind === 'all' ? 'any' : 'all']: [newLeaf(fields)] } as Condition])}>
          + 添加条件组
        </button>
      </div>
    </div>
  );
}
