import { useMemo, useState } from 'preact/hooks';
import { MAX_COMMENT_LENGTH, MAX_SIGNERS_PER_ACTION } from '../../../engine/limits';
import { ApiFailure, instancePath, newActionId, post } from '../../shared/api-client';
import type { FormFieldValue, InstanceView, RouteNode, Task, UserSummary } from '../types';
import { Sheet } from './Sheet';
import { UserPicker } from './UserPicker';

export type ActionKind = 'approve' | 'reject' | 'transfer' | 'add_signer' | 'return' | 'revoke' | 'withdraw' | 'urge' | 'resubmit' | 'comment';

export const ACTION_TEXT: Record<ActionKind, string> = {
  approve: '同意',
  reject: '拒绝',
  transfer: '转交',
  add_signer: '加签',
  return: '退回',
  revoke: '撤回审批',
  withdraw: '撤销审批',
  urge: '催办',
  resubmit: '重新提交',
  comment: '评论',
};

const POSITION_TEXT = { before: '在我之前审批', after: '在我之后审批', parallel: '与我同时审批' } as const;
type Position = keyof typeof POSITION_TEXT;

interface Props {
  kind: ActionKind;
  view: InstanceView;
  /** The viewer's task the action is on (approve … return, revoke). */
  task?: Task;
  route: RouteNode[];
  form: FormFieldValue[];
  me: string;
  onDone: (view: InstanceView, message: string) => void;
  onClose: () => void;
}

function parsedField(field: FormFieldValue, raw: string | boolean): unknown {
  if (field.type === 'boolean') return raw === true;
  if (raw === '') return undefined;
  if (field.type === 'number') return Number(raw);
  return raw;
}

/** A text, number or date field of the form, as the browser edits it. */
function FieldInput({ field, value, onChange }: { field: FormFieldValue; value: string; onChange: (value: string) => void }) {
  const common = { name: field.key, required: field.required, value, onInput: (e: { currentTarget: HTMLInputElement }) => onChange(e.currentTarget.value) };
  if (field.type === 'number') return <input type="number" step="any" {...common} />;
  if (field.type === 'date') return <input type="date" {...common} />;
  return <input type="text" {...common} />;
}

/** One action: what it needs (a comment, people, a node, the form), sent once under one actionId. */
export function ActionSheet({ kind, view, task, route, form, me, onDone, onClose }: Props) {
  const actionId = useMemo(newActionId, [kind]);
  const [comment, setComment] = useState('');
  const [people, setPeople] = useState<UserSummary[]>([]);
  const [position, setPosition] = useState<Position>('before');
  const [target, setTarget] = useState('start');
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(form.map((f) => [f.key, f.type === 'boolean' ? f.value === true : f.value === undefined ? '' : String(f.value)])),
  );
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const returnTargets = route.filter((n) => n.type === 'approval' && n.state === 'done' && n.nodeId !== task?.nodeId);
  const needsPeople = kind === 'transfer' || kind === 'add_signer';
  const commentRequired = kind === 'comment';

  const body = () => {
    const common = { type: kind, actionId, ...(task && kind !== 'withdraw' && kind !== 'urge' && kind !== 'resubmit' ? { taskId: task.taskId } : {}) };
    const withComment = comment.trim() ? { comment: comment.trim() } : {};
    switch (kind) {
      case 'transfer':
        return { ...common, ...withComment, toUserId: people[0]?.id };
      case 'add_signer':
        return { ...common, ...withComment, signers: people.map((p) => p.id), position };
      case 'return':
        return { ...common, ...withComment, targetNodeId: target };
      case 'resubmit': {
        const edited = Object.fromEntries(form.map((f) => [f.key, parsedField(f, values[f.key] ?? '')]).filter(([, v]) => v !== undefined));
        return { ...common, ...withComment, form: { ...view.form, ...edited } };
      }
      default:
        return { ...common, ...withComment };
    }
  };

  const send = async (event: Event) => {
    event.preventDefault();
    if (needsPeople && people.length === 0) return setError(kind === 'transfer' ? '请选择转交给谁' : '请选择加签人');
    if (commentRequired && !comment.trim()) return setError('请填写评论');
    if (kind === 'add_signer' && people.length > MAX_SIGNERS_PER_ACTION) return setError(`一次最多加签 ${MAX_SIGNERS_PER_ACTION} 人`);
    setSending(true);
    setError(undefined);
    try {
      const next = await post<InstanceView>(`${instancePath(view.instanceId)}/actions`, body());
      onDone(next, `已${ACTION_TEXT[kind]}`);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : String(err));
      setSending(false);
    }
  };

  return (
    <Sheet title={ACTION_TEXT[kind]} onClose={onClose}>
      <form class="action-form" onSubmit={send} data-action={kind}>
        {kind === 'transfer' && <UserPicker multiple={false} picked={people} onChange={setPeople} exclude={[me]} />}
        {kind === 'add_signer' && (
          <>
            <UserPicker multiple picked={people} onChange={setPeople} exclude={[me]} />
            <fieldset class="choices">
              {(Object.keys(POSITION_TEXT) as Position[]).map((p) => (
                <label key={p}>
                  <input type="radio" name="position" value={p} checked={position === p} onChange={() => setPosition(p)} />
                  {POSITION_TEXT[p]}
                </label>
              ))}
            </fieldset>
          </>
        )}
        {kind === 'return' && (
          <fieldset class="choices">
            <legend>退回到</legend>
            <label>
              <input type="radio" name="target" value="start" checked={target === 'start'} onChange={() => setTarget('start')} />
              发起人（重新提交）
            </label>
            {returnTargets.map((n) => (
              <label key={n.nodeId}>
                <input type="radio" name="target" value={n.nodeId} checked={target === n.nodeId} onChange={() => setTarget(n.nodeId)} />
                {n.name ?? n.nodeId}
              </label>
            ))}
          </fieldset>
        )}
        {kind === 'resubmit' && (
          <div class="form-edit">
            {form.map((f) => (
              <label key={f.key}>
                <span>
                  {f.label}
                  {f.required && <b class="required">*</b>}
                </span>
                {f.type === 'boolean' ? (
                  <input
                    type="checkbox"
                    name={f.key}
                    checked={values[f.key] === true}
                    onChange={(e) => setValues({ ...values, [f.key]: e.currentTarget.checked })}
                  />
                ) : (
                  <FieldInput field={f} value={String(values[f.key] ?? '')} onChange={(value) => setValues({ ...values, [f.key]: value })} />
                )}
              </label>
            ))}
          </div>
        )}
        {kind === 'withdraw' && <p>撤销后审批结束，已完成的业务操作会回滚。</p>}
        {kind === 'urge' && <p>提醒当前审批人尽快处理（每个任务每小时一次）。</p>}
        {kind === 'revoke' && <p>撤回你的同意，任务回到待审批（下一节点还未处理时可用）。</p>}
        {kind !== 'urge' && (
          <textarea
            name="comment"
            rows={3}
            maxLength={MAX_COMMENT_LENGTH}
            placeholder={commentRequired ? '评论内容' : '审批意见（选填）'}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class={`primary${kind === 'reject' || kind === 'withdraw' ? ' danger' : ''}`} disabled={sending}>
          {sending ? '提交中…' : `确认${ACTION_TEXT[kind]}`}
        </button>
      </form>
    </Sheet>
  );
}
