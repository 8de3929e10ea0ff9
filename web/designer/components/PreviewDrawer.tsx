import { useState } from 'preact/hooks';
import type { FlowDefinition, FormField } from '../../../engine/dsl';
import { ApiFailure, post } from '../../shared/api-client';
import type { DraftPreview, Problem } from '../api-types';
import { MODE_SHORT, NODE_TYPE_LABELS, ON_EMPTY_LABELS } from '../labels';
import { learnNames, useNames } from '../org';
import { ValueBox } from './fields';
import { UserIdsPicker } from './Pickers';

/** 预测审批路径: who would approve a request of this initiator with this form, on the flow as it is on screen, from the engine's own preview. */

function sampleValue(field: FormField, text: string): unknown {
  if (text === '') return undefined;
  if (field.type === 'number') return Number(text);
  if (field.type === 'boolean') return text === 'true';
  return text;
}

export function PreviewDrawer({ definition, onClose, onProblems }: { definition: FlowDefinition; onClose: () => void; onProblems: (p: Problem[]) => void }) {
  const nameOf = useNames();
  const [initiator, setInitiator] = useState<string[]>([]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<Record<string, string[]>>({});
  const selectable = definition.nodes.filter((n) => n.type === 'approval' && n.approvers.type === 'initiator_select');
  const [result, setResult] = useState<DraftPreview | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const run = () => {
    const initiatorId = initiator[0];
    if (!initiatorId) return setError('请选择发起人');
    const form: Record<string, unknown> = {};
    for (const field of definition.form.fields) {
      const v = sampleValue(field, values[field.key] ?? '');
      if (v !== undefined) form[field.key] = v;
    }
    setBusy(true);
    setError(undefined);
    const selectedApprovers = Object.fromEntries(Object.entries(selected).filter(([id, ids]) => ids.length > 0 && selectable.some((n) => n.id === id)));
    post<DraftPreview>('/definitions/preview', { definition, initiatorId, form, ...(Object.keys(selectedApprovers).length > 0 ? { selectedApprovers } : {}) })
      .then((answer) => {
        learnNames(answer.nodes.flatMap((n) => [...(n.approvers ?? []).map((a) => a.userId), ...(n.recipients ?? [])]));
        setResult(answer);
      })
      .catch((err: unknown) => {
        setResult(undefined);
        if (err instanceof ApiFailure && err.details) onProblems(err.details as Problem[]);
        setError(err instanceof Error ? err.message : String(err));
      })
      .finally(() => setBusy(false));
  };
  return (
    <aside class="drawer" data-testid="preview">
      <header>
        <h2>预测审批路径</h2>
        <button type="button" class="link" aria-label="关闭预览" onClick={onClose}>
          ×
        </button>
      </header>
      <p class="hint">按当前画布上的流程（无需先发布），以今天的组织架构计算。</p>
      <div class="row">
        <label class="row-label">发起人</label>
        <UserIdsPicker label="发起人" multiple={false} ids={initiator} onChange={setInitiator} />
      </div>
      {definition.form.fields.map((field) => (
        <div class="row" key={field.key}>
          <label class="row-label">
            {field.label ?? field.key}
            {field.required && <span class="required">*</span>}
          </label>
          {field.type === 'boolean' ? (
            <select
              aria-label={`样例：${field.label ?? field.key}`}
              value={values[field.key] ?? ''}
              onChange={(e) => setValues({ ...values, [field.key]: e.currentTarget.value })}
            >
              <option value="">不填</option>
              <option value="true">是</option>
              <option value="false">否</option>
            </select>
          ) : field.options ? (
            <select
              aria-label={`样例：${field.label ?? field.key}`}
              value={values[field.key] ?? ''}
              onChange={(e) => setValues({ ...values, [field.key]: e.currentTarget.value })}
            >
              <option value="">不填</option>
              {field.options.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : (
            <ValueBox
              label={`样例：${field.label ?? field.key}`}
              fieldType={field.type}
              value={values[field.key] ?? ''}
              onInput={(text) => setValues({ ...values, [field.key]: text })}
            />
          )}
        </div>
      ))}
      {selectable.map((node) => (
        <div class="row" key={node.id}>
          <label class="row-label">发起人自选：{node.name ?? node.id}</label>
          <UserIdsPicker
            label={`自选：${node.name ?? node.id}`}
            multiple={node.type === 'approval' && node.approvers.type === 'initiator_select' && node.approvers.multiple === true}
            ids={selected[node.id] ?? []}
            onChange={(ids) => setSelected({ ...selected, [node.id]: ids })}
          />
        </div>
      ))}
      <button type="button" class="primary" disabled={busy} onClick={run}>
        {busy ? '计算中…' : '预览路径'}
      </button>
      {error && (
        <p class="error" data-testid="preview-error">
          {error}
        </p>
      )}
      {result && (
        <ol class="route" data-testid="route">
          {result.nodes.map((node) => (
            <li key={node.nodeId} class={`route-node type-${node.type}`} data-route-node={node.nodeId}>
              <strong>{node.name ?? NODE_TYPE_LABELS[node.type]}</strong>
              {node.mode && <span class="tag">{MODE_SHORT[node.mode]}</span>}
              {node.approvers && (
                <span class="people">
                  {node.approvers.length === 0 && <em>无审批人{node.whenEmpty ? `：${ON_EMPTY_LABELS[node.whenEmpty]}` : ''}</em>}
                  {node.approvers.map((a) => (
                    <span key={a.userId} class="person" data-approver={a.userId}>
                      {nameOf(a.userId)}
                      {a.delegatedFrom && <small>（代 {nameOf(a.delegatedFrom)}）</small>}
                      {a.autoApproved && <small>（自动通过）</small>}
                    </span>
                  ))}
                </span>
              )}
              {node.recipients && (
                <span class="people">
                  抄送：
                  {node.recipients.map((id) => (
                    <span key={id} class="person" data-recipient={id}>
                      {nameOf(id)}
                    </span>
                  ))}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
