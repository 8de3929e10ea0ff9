import { useEffect, useState } from 'preact/hooks';
import type { FlowDefinition } from '../../../engine/dsl';
import { get } from '../../shared/api-client';
import type { DefinitionAnswer, VersionAnswer } from '../api-types';
import { diffDefinitions, type DefinitionChange, type FieldChange } from '../definition-diff';
import { NODE_TYPE_LABELS, pathLabel } from '../labels';

/** 版本: the published versions, and a readable diff between any two of them (or the draft on screen). */

const DRAFT = 'draft';

function ChangeList({ changes }: { changes: FieldChange[] }) {
  return (
    <ul class="field-changes">
      {changes.map((c) => (
        <li key={c.path}>
          {pathLabel(c.path)} <code>{c.path}</code>：<del>{c.before ?? '（无）'}</del> → <ins>{c.after ?? '（无）'}</ins>
        </li>
      ))}
    </ul>
  );
}

function ChangeItem({ change }: { change: DefinitionChange }) {
  switch (change.kind) {
    case 'flow':
      return (
        <li class="change changed">
          流程设置
          <ChangeList changes={change.changes} />
        </li>
      );
    case 'field_added':
      return (
        <li class="change added">
          新增表单字段「{change.label ?? change.key}」（{change.key}）
        </li>
      );
    case 'field_removed':
      return (
        <li class="change removed">
          删除表单字段「{change.label ?? change.key}」（{change.key}）
        </li>
      );
    case 'field_changed':
      return (
        <li class="change changed">
          修改表单字段「{change.label ?? change.key}」
          <ChangeList changes={change.changes} />
        </li>
      );
    case 'node_added':
      return (
        <li class="change added">
          新增{NODE_TYPE_LABELS[change.type]}节点「{change.name ?? change.id}」（{change.id}）
        </li>
      );
    case 'node_removed':
      return (
        <li class="change removed">
          删除{NODE_TYPE_LABELS[change.type]}节点「{change.name ?? change.id}」（{change.id}）
        </li>
      );
    case 'node_changed':
      return (
        <li class="change changed">
          修改{NODE_TYPE_LABELS[change.type]}节点「{change.name ?? change.id}」（{change.id}）
          <ChangeList changes={change.changes} />
        </li>
      );
  }
}

export function VersionsPanel({ answer, draft, onRestore }: { answer: DefinitionAnswer; draft: FlowDefinition; onRestore: (d: FlowDefinition) => void }) {
  const versions = [...answer.versions].sort((a, b) => b.version - a.version);
  const latest = versions[0]?.version;
  const [left, setLeft] = useState<string>(versions[1] ? String(versions[1].version) : latest !== undefined ? String(latest) : DRAFT);
  const [right, setRight] = useState<string>(DRAFT);
  const [loaded, setLoaded] = useState<Map<string, FlowDefinition>>(new Map());
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    for (const v of [left, right]) {
      if (v === DRAFT || loaded.has(v)) continue;
      get<VersionAnswer>(`/definitions/${encodeURIComponent(answer.code)}/versions/${v}`)
        .then((found) => setLoaded((m) => new Map(m).set(v, found.definition)))
        .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    }
  }, [left, right]);
  const pick = (v: string) => (v === DRAFT ? draft : loaded.get(v));
  const a = pick(left);
  const b = pick(right);
  const changes = a && b ? diffDefinitions(a, b) : undefined;
  const options = (
    <>
      <option value={DRAFT}>当前草稿</option>
      {versions.map((v) => (
        <option key={v.version} value={String(v.version)}>
          v{v.version}（{new Date(v.publishedAt).toLocaleString('zh-CN')}）
        </option>
      ))}
    </>
  );
  return (
    <section class="versions" data-testid="versions">
      <h2>版本记录</h2>
      <p class="hint">每次发布生成一个新版本；进行中的审批继续按发起时的版本执行，新发起的审批使用最新版本。</p>
      <table>
        <thead>
          <tr>
            <th>版本</th>
            <th>发布时间</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                v{v.version}
                {v.version === latest && <span class="tag">当前生效</span>}
              </td>
              <td>{new Date(v.publishedAt).toLocaleString('zh-CN')}</td>
              <td>
                <button
                  type="button"
                  class="link"
                  onClick={() =>
                    get<VersionAnswer>(`/definitions/${encodeURIComponent(answer.code)}/versions/${v.version}`)
                      .then((found) => onRestore(found.definition))
                      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
                  }
                >
                  载入到草稿
                </button>
              </td>
            </tr>
          ))}
          {versions.length === 0 && (
            <tr>
              <td colSpan={3} class="hint">
                尚未发布
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <h3>版本对比</h3>
      <div class="compare">
        <select aria-label="对比：旧版本" value={left} onChange={(e) => setLeft(e.currentTarget.value)}>
          {options}
        </select>
        →
        <select aria-label="对比：新版本" value={right} onChange={(e) => setRight(e.currentTarget.value)}>
          {options}
        </select>
      </div>
      {error && <p class="error">{error}</p>}
      {changes && changes.length === 0 && (
        <p class="hint" data-testid="diff-empty">
          两个版本内容相同
        </p>
      )}
      {changes && changes.length > 0 && (
        <ul class="diff" data-testid="diff">
          {changes.map((c, i) => (
            <ChangeItem key={i} change={c} />
          ))}
        </ul>
      )}
    </section>
  );
}
