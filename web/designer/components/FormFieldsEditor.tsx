import type { FlowDefinition, FormField } from '../../../engine/dsl';
import type { Problem } from '../api-types';
import { FIELD_TYPE_LABELS } from '../labels';
import { ProblemLines, withField } from './fields';
import { UserIdsPicker } from './Pickers';
import { problemText } from '../problem-text';

/** 表单设计 and 基础设置: the form's fields (key, label, type, required, choices) and the flow's name, description and admins. */

function nextFieldKey(fields: FormField[]): string {
  const taken = new Set(fields.map((f) => f.key));
  for (let n = 1; ; n += 1) if (!taken.has(`field_${n}`)) return `field_${n}`;
}

export function FormFieldsEditor({
  definition,
  problems,
  onChange,
}: {
  definition: FlowDefinition;
  problems: Problem[];
  onChange: (d: FlowDefinition) => void;
}) {
  const fields = definition.form.fields;
  const setFields = (next: FormField[]) => onChange({ ...definition, form: { ...definition.form, fields: next } });
  const setField = (i: number, field: FormField) => setFields(fields.map((f, j) => (j === i ? field : f)));
  const move = (i: number, j: number) => {
    const next = [...fields];
    [next[i], next[j]] = [next[j]!, next[i]!];
    setFields(next);
  };
  const fieldProblems = (i: number) => problems.filter((p) => p.nodeId === null && (p.field === `form.fields.${i}` || p.field.startsWith(`form.fields.${i}.`)));
  return (
    <section class="form-editor" data-testid="form-editor">
      <h2>表单字段</h2>
      <p class="hint">发起审批时填写的内容；条件分支按这些字段判断。字段标识由业务系统在发起时传入。</p>
      <table>
        <thead>
          <tr>
            <th>字段标识</th>
            <th>名称</th>
            <th>类型</th>
            <th>必填</th>
            <th>可选项（文本字段，每行一个）</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {fields.map((field, i) => (
            <tr key={i} data-form-field={i} class={fieldProblems(i).length > 0 ? 'invalid' : ''}>
              <td>
                <input aria-label="字段标识" value={field.key} onInput={(e) => setField(i, { ...field, key: e.currentTarget.value })} />
              </td>
              <td>
                <input
                  aria-label="字段名称"
                  value={field.label ?? ''}
                  onInput={(e) => setField(i, withField(field, 'label', e.currentTarget.value || undefined))}
                />
              </td>
              <td>
                <select
                  aria-label="字段类型"
                  value={field.type}
                  onChange={(e) => {
                    const type = e.currentTarget.value as FormField['type'];
                    setField(i, type === 'string' ? { ...field, type } : withField({ ...field, type }, 'options', undefined));
                  }}
                >
                  {(Object.keys(FIELD_TYPE_LABELS) as Array<FormField['type']>).map((t) => (
                    <option key={t} value={t}>
                      {FIELD_TYPE_LABELS[t]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label="必填"
                  checked={field.required === true}
                  onChange={(e) => setField(i, withField(field, 'required', e.currentTarget.checked ? true : field.required === undefined ? undefined : false))}
                />
              </td>
              <td>
                {field.type === 'string' && (
                  <textarea
                    aria-label="可选项"
                    rows={2}
                    placeholder="不填则为自由文本"
                    value={(field.options ?? []).join('\n')}
                    onChange={(e) => {
                      const options = e.currentTarget.value
                        .split('\n')
                        .map((s) => s.trim())
                        .filter(Boolean);
                      setField(i, withField(field, 'options', options.length > 0 ? options : undefined));
                    }}
                  />
                )}
              </td>
              <td class="row-tools">
                <button type="button" class="link" aria-label="上移字段" disabled={i === 0} onClick={() => move(i, i - 1)}>
                  ↑
                </button>
                <button type="button" class="link" aria-label="下移字段" disabled={i === fields.length - 1} onClick={() => move(i, i + 1)}>
                  ↓
                </button>
                <button type="button" class="link danger" aria-label="删除字段" onClick={() => setFields(fields.filter((_, j) => j !== i))}>
                  删除
                </button>
              </td>
            </tr>
          ))}
          {fields.map((_, i) =>
            fieldProblems(i).map((p, k) => (
              <tr key={`p${i}-${k}`} class="problem-row">
                <td colSpan={6} class="field-error" data-problem-field={p.field}>
                  第 {i + 1} 个字段 {p.field.replace(`form.fields.${i}.`, '')}：<span title={p.message}>{problemText(p.message)}</span>
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <button type="button" class="secondary" onClick={() => setFields([...fields, { key: nextFieldKey(fields), label: '', type: 'string' }])}>
        + 添加字段
      </button>
    </section>
  );
}

export function FlowSettings({
  definition,
  problems,
  onChange,
  isNew,
}: {
  definition: FlowDefinition;
  problems: Problem[];
  onChange: (d: FlowDefinition) => void;
  isNew: boolean;
}) {
  const flowProblems = problems.filter((p) => p.nodeId === null && !p.field.startsWith('form.'));
  return (
    <section class="settings" data-testid="settings">
      <h2>基础设置</h2>
      <label class="setting">
        <span>流程名称</span>
        <input aria-label="流程名称" value={definition.name} onInput={(e) => onChange({ ...definition, name: e.currentTarget.value })} />
      </label>
      <label class="setting">
        <span>流程编码</span>
        <input aria-label="流程编码" value={definition.code} disabled={!isNew} onInput={(e) => onChange({ ...definition, code: e.currentTarget.value })} />
        <small class="hint">业务系统发起审批时使用，发布后不可修改</small>
      </label>
      <label class="setting">
        <span>说明</span>
        <textarea
          aria-label="流程说明"
          rows={3}
          value={definition.description ?? ''}
          onInput={(e) => onChange(withField(definition, 'description', e.currentTarget.value || undefined))}
        />
      </label>
      <div class="setting">
        <span>流程管理员</span>
        <UserIdsPicker
          label="流程管理员"
          ids={definition.admins ?? []}
          onChange={(ids) => onChange(withField(definition, 'admins', ids.length > 0 ? ids : undefined))}
        />
        <small class="hint">可修改、发布本流程，并接收「转交管理员」的审批；不设置时由拥有 approval_admin 角色的人员负责</small>
      </div>
      <ProblemLines withField problems={flowProblems} />
    </section>
  );
}
