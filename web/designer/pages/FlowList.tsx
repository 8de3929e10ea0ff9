import { useEffect, useState } from 'preact/hooks';
import type { FlowDefinition } from '../../../engine/dsl';
import { ApiFailure, get, post } from '../../shared/api-client';
import type { FlowSummary } from '../api-types';
import { flowHref, navigate } from '../router';

/** 流程列表: the flows this admin may design, their latest version, whether the draft has unpublished changes; and a new flow. */

const emptyFlow = (code: string, name: string): FlowDefinition => ({
  code,
  name,
  form: { fields: [] },
  nodes: [
    { id: 'start', type: 'start', next: 'end' },
    { id: 'end', type: 'end' },
  ],
});

/** `flowAdmin`: the user holds `approval_admin` (only they create flows; a flow's listed admins design theirs), undefined until known. */
export function FlowList({ flowAdmin }: { flowAdmin: boolean | undefined }) {
  const [flows, setFlows] = useState<FlowSummary[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    get<{ items: FlowSummary[] }>('/definitions')
      .then((answer) => setFlows(answer.items))
      .catch((err: unknown) => setError((err as Error).message));
  }, []);
  const mayCreate = flowAdmin === true;
  // A user who is no approval_admin and designs no flow has nothing here.
  const outsider = flowAdmin === false && flows?.length === 0;
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const exists = await get(`/definitions/${encodeURIComponent(code)}`).then(
        () => true,
        (err: unknown) => (err instanceof ApiFailure && err.code === 'FLOW_NOT_FOUND' ? false : Promise.reject(err)),
      );
      if (exists) return setError(`流程编码 ${code} 已存在`);
      await post('/definitions', emptyFlow(code, name));
      navigate(flowHref(code));
    } catch (err) {
      const details = err instanceof ApiFailure ? (err.details as Array<{ field: string; message: string }> | undefined) : undefined;
      setError(details?.length ? details.map((d) => `${d.field}：${d.message}`).join('；') : (err as Error).message);
    }
  };
  return (
    <main class="flow-list">
      <div class="list-head">
        <h1>流程管理</h1>
        {mayCreate && (
          <button type="button" class="primary" onClick={() => setCreating(!creating)}>
            + 新建流程
          </button>
        )}
      </div>
      {creating && (
        <form class="new-flow" onSubmit={(e) => void create(e)}>
          <label>
            流程名称
            <input aria-label="新流程名称" required value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="如：采购申请" />
          </label>
          <label>
            流程编码
            <input
              aria-label="新流程编码"
              required
              pattern="[a-z][a-z0-9_]{0,63}"
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
              placeholder="小写字母、数字、下划线，如 purchase_order"
            />
          </label>
          <button type="submit" class="primary">
            创建并设计
          </button>
        </form>
      )}
      {error && <p class="error">{error}</p>}
      {outsider && <p class="error">你不是流程管理员，无法设计流程</p>}
      {flows && !outsider && (
        <table class="flows">
          <thead>
            <tr>
              <th>流程名称</th>
              <th>编码</th>
              <th>最新版本</th>
              <th>状态</th>
              <th>更新时间</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.code} data-flow={f.code}>
                <td>
                  <a href={flowHref(f.code)}>{f.name}</a>
                </td>
                <td>
                  <code>{f.code}</code>
                </td>
                <td>{f.latestVersion === null ? '—' : `v${f.latestVersion}`}</td>
                <td>
                  {f.latestVersion === null ? (
                    <span class="tag muted">未发布</span>
                  ) : f.draftChanged ? (
                    <span class="tag warn">草稿有改动</span>
                  ) : (
                    <span class="tag ok">已发布</span>
                  )}
                </td>
                <td>{new Date(f.updatedAt).toLocaleString('zh-CN')}</td>
                <td>
                  <a class="link" href={flowHref(f.code)}>
                    设计
                  </a>
                </td>
              </tr>
            ))}
            {flows.length === 0 && (
              <tr>
                <td colSpan={6} class="hint">
                  还没有流程，点击「新建流程」开始
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </main>
  );
}
