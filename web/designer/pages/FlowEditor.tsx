import { useEffect, useMemo, useState } from 'preact/hooks';
import type { FlowDefinition, FlowNode } from '../../../engine/dsl';
import { ApiFailure, get, post } from '../../shared/api-client';
import type { DefinitionAnswer, Problem, Validation } from '../api-types';
import { FlowCanvas, type CanvasActions, type Selection } from '../components/FlowCanvas';
import { FlowSettings, FormFieldsEditor } from '../components/FormFieldsEditor';
import { NodePanel } from '../components/NodePanel';
import { PreviewDrawer } from '../components/PreviewDrawer';
import { VersionsPanel } from '../components/VersionsPanel';
import {
  addBranch,
  addDefault,
  continueInstead,
  EditRefused,
  endHere,
  insertNode,
  moveBranch,
  moveNode,
  removeBranch,
  removeItem,
  renameNode,
  replaceNode,
} from '../flow-edits';
import { layoutFlow } from '../flow-layout';
import { NODE_TYPE_LABELS } from '../labels';
import { learnNames, useNames } from '../org';
import { BASE } from '../router';
import { stableJson } from '../stable-json';
import { problemText } from '../problem-text';

/**
 * One flow's editor: 基础设置, 表单设计, 流程设计 (the canvas and the side panel), 版本. What is on
 * screen is the SPEC §4 document itself; every change is checked by the API's own publish
 * validation, and its problems are shown on the boxes and fields they name.
 */

type Tab = 'settings' | 'form' | 'flow' | 'versions';
const TABS: Array<{ tab: Tab; label: string }> = [
  { tab: 'settings', label: '基础设置' },
  { tab: 'form', label: '表单设计' },
  { tab: 'flow', label: '流程设计' },
  { tab: 'versions', label: '版本' },
];

const problemsFrom = (err: unknown): Problem[] | undefined =>
  err instanceof ApiFailure && err.code === 'INVALID_DEFINITION' && Array.isArray(err.details) ? (err.details as Problem[]) : undefined;

/** The publish validation of what is on screen, asked again whenever it changes (`json`: the document as stableJson). */
function useValidation(doc: FlowDefinition | undefined, json: string): [Problem[], (p: Problem[]) => void, boolean] {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    if (!doc) return;
    let current = true;
    setChecking(true);
    const timer = setTimeout(() => {
      post<Validation>('/definitions/validate', doc)
        .then((answer) => current && setProblems(answer.problems))
        .catch(() => undefined)
        .finally(() => current && setChecking(false));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [json]);
  return [problems, setProblems, checking];
}

/** Everyone a definition names by id: its admins, and the users of its approver and cc sources. */
function namedUsers(doc: FlowDefinition): string[] {
  const sources = doc.nodes.flatMap((n) => (n.type === 'approval' ? [n.approvers] : n.type === 'cc' ? [n.recipients] : []));
  return [...(doc.admins ?? []), ...sources.flatMap((s) => (s.type === 'users' ? s.ids : []))];
}

function problemWhere(p: Problem, doc: FlowDefinition): string {
  if (p.nodeId === null) return p.field.startsWith('form.') ? '表单' : '流程';
  const node = doc.nodes.find((n) => n.id === p.nodeId);
  return node ? `${node.name ?? NODE_TYPE_LABELS[node.type]}（${node.id}）` : p.nodeId;
}

export function FlowEditor({ code }: { code: string }) {
  const [answer, setAnswer] = useState<DefinitionAnswer | undefined>();
  const [doc, setDoc] = useState<FlowDefinition | undefined>();
  const [saved, setSaved] = useState('');
  // The draft's revision this editor read or wrote last: saves and publishes name it (If-Match), so another admin's save is never overwritten.
  const [revision, setRevision] = useState('');
  const [conflict, setConflict] = useState(false);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [tab, setTab] = useState<Tab>('flow');
  const [selection, setSelection] = useState<Selection | undefined>();
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | undefined>();
  const [previewing, setPreviewing] = useState(false);
  const [showProblems, setShowProblems] = useState(false);
  const [busy, setBusy] = useState(false);
  const docJson = doc ? stableJson(doc) : '';
  const [problems, setProblems, checking] = useValidation(doc, docJson);
  const userName = useNames();

  const load = () =>
    get<DefinitionAnswer>(`/definitions/${encodeURIComponent(code)}`)
      .then((found) => {
        setAnswer(found);
        setDoc(found.draft);
        setSaved(stableJson(found.draft));
        setRevision(found.revision);
        setConflict(false);
      })
      .catch((err: unknown) => setLoadError(err instanceof ApiFailure && err.code === 'NOT_FLOW_ADMIN' ? '你不是此流程的管理员' : (err as Error).message));
  useEffect(() => void load(), [code]);

  const layout = useMemo(() => (doc ? layoutFlow(doc) : undefined), [doc]);
  // The boxes name people: learn the names of those not known yet (each is asked once).
  const named = doc ? namedUsers(doc).join('\n') : '';
  useEffect(() => learnNames(named.split('\n').filter(Boolean)), [named]);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), notice.kind === 'ok' ? 4000 : 8000);
    return () => clearTimeout(timer);
  }, [notice]);
  const dirty = doc !== undefined && docJson !== saved;
  // Unsaved changes are not lost to a closed tab or a reload without a question.
  useEffect(() => {
    if (!dirty) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener('beforeunload', ask);
    return () => removeEventListener('beforeunload', ask);
  }, [dirty]);
  if (loadError) return <p class="error page-error">{loadError}</p>;
  if (!doc || !answer || !layout) return <p class="hint page-hint">加载中…</p>;

  const say = (text: string, kind: 'ok' | 'error' = 'ok') => setNotice({ text, kind });
  const edit = (change: (d: FlowDefinition) => FlowDefinition) => {
    try {
      setDoc(change(doc));
    } catch (err) {
      if (err instanceof EditRefused) say(err.message, 'error');
      else throw err;
    }
  };
  const actions: CanvasActions = {
    select: setSelection,
    insert: (edges, kind) =>
      edit((d) => {
        const inserted = insertNode(d, edges, kind);
        setSelection(kind === 'condition' ? { kind: 'branch', id: inserted.id, index: 0 } : { kind: 'node', id: inserted.id });
        return inserted.definition;
      }),
    remove: (id) => edit((d) => (setSelection(undefined), removeItem(d, id))),
    move: (id, direction) => edit((d) => moveNode(d, id, direction)),
    addBranch: (id) => edit((d) => addBranch(d, id)),
    removeBranch: (id, index) => edit((d) => (setSelection(undefined), removeBranch(d, id, index))),
    moveBranch: (id, index, direction) =>
      edit((d) => {
        setSelection({ kind: 'branch', id, index: direction === 'left' ? index - 1 : index + 1 });
        return moveBranch(d, id, index, direction);
      }),
    addDefault: (id) => edit((d) => addDefault(d, id)),
    endHere: (edges) => edit((d) => endHere(d, edges)),
    continueInstead: (edges, meet) => edit((d) => continueInstead(d, edges, meet)),
  };

  /** A refusal of save or publish: its definition problems shown on the canvas and listed, or its message. */
  const refused = (err: unknown, what: '保存' | '发布') => {
    if (err instanceof ApiFailure && err.code === 'DRAFT_CHANGED') {
      setConflict(true);
      return say(`无法${what}：其他管理员在你打开后保存了此流程`, 'error');
    }
    const found = problemsFrom(err);
    if (!found) return say(`${what}失败：${(err as Error).message}`, 'error');
    setProblems(found);
    setShowProblems(true);
    say(`无法${what}：${found.length} 个问题需要处理`, 'error');
  };
  /** Saves the draft over the revision read; answers the new revision, or undefined when refused. */
  const saveDraft = async (): Promise<string | undefined> => {
    try {
      const answerSaved = await post<{ draft: FlowDefinition; revision: string }>('/definitions', doc, { 'If-Match': revision });
      setDoc(answerSaved.draft);
      setSaved(stableJson(answerSaved.draft));
      setRevision(answerSaved.revision);
      return answerSaved.revision;
    } catch (err) {
      refused(err, '保存');
      return undefined;
    }
  };
  const onSave = async () => {
    setBusy(true);
    if ((await saveDraft()) !== undefined) say('草稿已保存');
    setBusy(false);
  };
  const onPublish = async () => {
    setBusy(true);
    try {
      const savedRevision = await saveDraft();
      if (savedRevision === undefined) return;
      const published = await post<{ code: string; version: number }>(`/definitions/${encodeURIComponent(code)}/publish`, undefined, {
        'If-Match': savedRevision,
      });
      const found = await get<DefinitionAnswer>(`/definitions/${encodeURIComponent(code)}`);
      setAnswer(found);
      say(`已发布 v${published.version}：新发起的审批将使用此版本`);
    } catch (err) {
      refused(err, '发布');
    } finally {
      setBusy(false);
    }
  };

  const panelNode = selection && doc.nodes.some((n) => n.id === selection.id) ? selection : undefined;
  return (
    <div class="editor">
      <header class="editor-bar">
        <a class="link" href={`${BASE}/`} onClick={(e) => dirty && !confirm('有未保存的修改，确定离开吗？') && e.preventDefault()}>
          ‹ 流程列表
        </a>
        <strong class="flow-name">{doc.name}</strong>
        <code class="muted">{doc.code}</code>
        {answer.latestVersion !== null && <span class="tag ok">已发布 v{answer.latestVersion}</span>}
        <nav class="tabs" aria-label="设计步骤">
          {TABS.map((t) => (
            <button
              type="button"
              key={t.tab}
              class={tab === t.tab ? 'active' : ''}
              aria-current={tab === t.tab ? 'page' : undefined}
              onClick={() => setTab(t.tab)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <span class="status" data-testid="status">
          {checking ? '检查中…' : problems.length > 0 ? '' : '检查通过'}
          {dirty ? ' · 未保存' : ' · 已保存'}
        </span>
        {problems.length > 0 && (
          <button type="button" class="problems-toggle" data-testid="problems-count" onClick={() => setShowProblems(!showProblems)}>
            {problems.length} 个问题
          </button>
        )}
        <button type="button" class="secondary" onClick={() => setPreviewing(true)}>
          预览路径
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => void onSave()}>
          保存草稿
        </button>
        <button type="button" class="primary" disabled={busy} onClick={() => void onPublish()}>
          发布
        </button>
      </header>
      {notice && (
        <div class={`notice ${notice.kind}`} role="status" data-testid="notice">
          {notice.text}
        </div>
      )}
      {conflict && (
        <div class="conflict" role="alert" data-testid="conflict">
          其他管理员在你打开此流程后保存了它，你的修改未保存。
          <button type="button" class="secondary" onClick={() => void load()}>
            载入最新草稿（放弃我的修改）
          </button>
        </div>
      )}
      {showProblems && problems.length > 0 && (
        <ul class="problems" data-testid="problems">
          {problems.map((p, i) => (
            <li key={i}>
              <button
                type="button"
                class="link"
                onClick={() => {
                  if (p.nodeId && doc.nodes.some((n) => n.id === p.nodeId)) {
                    setTab('flow');
                    const branch = /^branches\.(\d+)\./.exec(p.field);
                    const node = doc.nodes.find((n) => n.id === p.nodeId);
                    setSelection(
                      branch && node?.type === 'condition' ? { kind: 'branch', id: p.nodeId, index: Number(branch[1]) } : { kind: 'node', id: p.nodeId },
                    );
                  } else setTab(p.field.startsWith('form.') ? 'form' : 'settings');
                }}
              >
                {problemWhere(p, doc)}
              </button>
              <code>{p.field}</code> <span title={p.message}>{problemText(p.message)}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="workspace">
        {tab === 'settings' && <FlowSettings definition={doc} problems={problems} onChange={setDoc} isNew={answer.latestVersion === null} />}
        {tab === 'form' && <FormFieldsEditor definition={doc} problems={problems} onChange={setDoc} />}
        {tab === 'flow' && (
          <>
            <FlowCanvas definition={doc} main={layout.main} problems={problems} selection={panelNode} userName={userName} actions={actions} />
            {panelNode && (
              <NodePanel
                key={`${panelNode.kind}:${panelNode.id}:${panelNode.kind === 'branch' ? panelNode.index : ''}`}
                definition={doc}
                selection={panelNode}
                problems={problems}
                onChange={(node: FlowNode) => setDoc(replaceNode(doc, node))}
                onRename={(to) => edit((d) => (setSelection({ ...panelNode, id: to }), renameNode(d, panelNode.id, to)))}
                onClose={() => setSelection(undefined)}
              />
            )}
          </>
        )}
        {tab === 'versions' && (
          <VersionsPanel answer={answer} draft={doc} onRestore={(d) => (setDoc(d), setTab('flow'), say('已载入该版本，保存或发布后生效'))} />
        )}
        {previewing && <PreviewDrawer definition={doc} onClose={() => setPreviewing(false)} onProblems={(p) => (setProblems(p), setShowProblems(true))} />}
      </div>
    </div>
  );
}
