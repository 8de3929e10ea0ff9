import type { ApprovalNode, ApprovalTimeout, ApproverSource, FlowDefinition, FlowNode, ServiceCall } from '../../../engine/dsl';
import type { Problem } from '../api-types';
import { MODE_LABELS, NODE_TYPE_LABELS, ON_EMPTY_LABELS, SELF_LABELS, SOURCE_LABELS, TIMEOUT_ACTION_LABELS } from '../labels';
import { useSystems } from '../org';
import { ConditionEditor } from './ConditionEditor';
import type { Selection } from './FlowCanvas';
import { DurationInput, OptionalBoolean, OptionalSelect, ProblemLines, Row, problemsOf, withField } from './fields';
import { RolePicker, UserIdsPicker } from './Pickers';

/** The side panel (属性面板) of the box or branch selected on the canvas: every field of its DSL node. */

type Change = (node: FlowNode) => void;

function defaultSource(type: ApproverSource['type']): ApproverSource {
  switch (type) {
    case 'users':
      return { type, ids: [] };
    case 'role':
      return { type, role: '' };
    case 'manager':
      return { type, levels: 1 };
    case 'dept_leader':
      return { type, levels: 1 };
    case 'initiator_select':
      return { type, multiple: false };
    case 'initiator':
      return { type };
  }
}

const levelsSource = (type: 'manager' | 'dept_leader', text: string): ApproverSource => {
  const levels = Number(text);
  return text === '' ? { type } : { type, levels: Number.isFinite(levels) ? levels : 0 };
};

function SourceEditor({
  source,
  onChange,
  problems,
  field,
  label,
}: {
  source: ApproverSource;
  onChange: (s: ApproverSource) => void;
  problems: Problem[];
  field: string;
  label: string;
}) {
  const types = Object.keys(SOURCE_LABELS) as Array<ApproverSource['type']>;
  return (
    <>
      <Row label={label} field={field} problems={problemsOf(problems, [`${field}.type`])}>
        <div class="segmented" role="radiogroup" aria-label={label}>
          {types.map((t) => (
            <button
              type="button"
              key={t}
              role="radio"
              aria-checked={source.type === t}
              class={source.type === t ? 'on' : ''}
              onClick={() => source.type !== t && onChange(defaultSource(t))}
            >
              {SOURCE_LABELS[t]}
            </button>
          ))}
        </div>
      </Row>
      {source.type === 'users' && (
        <Row label="选择成员" field={`${field}.ids`} problems={problemsOf(problems, [`${field}.ids`, field]).filter((p) => p.field !== `${field}.type`)}>
          <UserIdsPicker label={label} ids={source.ids} onChange={(ids) => onChange({ ...source, ids })} />
        </Row>
      )}
      {source.type === 'role' && (
        <Row label="选择角色" field={`${field}.role`} problems={problemsOf(problems, [`${field}.role`])}>
          <RolePicker role={source.role} onChange={(role) => onChange({ ...source, role })} />
        </Row>
      )}
      {source.type === 'manager' && (
        <Row label="主管层级" field={`${field}.levels`} problems={problemsOf(problems, [`${field}.levels`, `${field}.untilTitle`])}>
          <div class="stack">
            <label>
              <input
                type="radio"
                name={`${field}-manager`}
                checked={source.untilTitle === undefined}
                onChange={() => onChange({ type: 'manager', levels: 1 })}
              />
              发起人的第
              <input
                type="number"
                min="1"
                max="20"
                aria-label="主管级数"
                disabled={source.untilTitle !== undefined}
                value={source.levels ?? 1}
                onInput={(e) => onChange(levelsSource('manager', e.currentTarget.value))}
              />
              级主管（1 = 直属主管，多级时逐级审批）
            </label>
            <label>
              <input
                type="radio"
                name={`${field}-manager`}
                checked={source.untilTitle !== undefined}
                onChange={() => onChange({ type: 'manager', untilTitle: '' })}
              />
              逐级向上，直到职位为
              <input
                aria-label="终止职位"
                disabled={source.untilTitle === undefined}
                value={source.untilTitle ?? ''}
                onInput={(e) => onChange({ type: 'manager', untilTitle: e.currentTarget.value })}
              />
              的主管
            </label>
          </div>
        </Row>
      )}
      {source.type === 'dept_leader' && (
        <Row label="部门层级" field={`${field}.levels`} problems={problemsOf(problems, [`${field}.levels`])}>
          <label>
            发起人所在部门向上第
            <input
              type="number"
              min="1"
              max="20"
              aria-label="部门级数"
              value={source.levels ?? 1}
              onInput={(e) => onChange(levelsSource('dept_leader', e.currentTarget.value))}
            />
            级的负责人（1 = 本部门）
          </label>
        </Row>
      )}
      {source.type === 'initiator_select' && (
        <Row label="自选方式" field={`${field}.multiple`}>
          <label>
            <input
              type="checkbox"
              checked={source.multiple === true}
              onChange={(e) => onChange(withField(source, 'multiple', e.currentTarget.checked ? true : source.multiple === undefined ? undefined : false))}
            />
            可选多人
          </label>
        </Row>
      )}
    </>
  );
}

function TimeoutEditor({ node, onChange, problems }: { node: ApprovalNode; onChange: Change; problems: Problem[] }) {
  const timeout = node.timeout;
  const set = (next: ApprovalTimeout | undefined) => onChange(withField(node, 'timeout', next && Object.keys(next).length > 0 ? next : undefined));
  const t = timeout ?? {};
  return (
    <Row label="超时处理" field="timeout" problems={problemsOf(problems, ['timeout'])}>
      <div class="stack">
        <label>
          <input
            type="checkbox"
            checked={timeout !== undefined}
            onChange={(e) => (e.currentTarget.checked ? set({ remindAfter: 'PT24H' }) : onChange(withField(node, 'timeout', undefined)))}
          />
          启用超时提醒与处理
        </label>
        {timeout !== undefined && (
          <>
            <label>
              超过 <DurationInput label="提醒时间" value={t.remindAfter} onChange={(v) => set(withField(t, 'remindAfter', v))} /> 未处理时提醒审批人
            </label>
            <label>
              之后每隔 <DurationInput label="重复提醒间隔" value={t.remindEvery} onChange={(v) => set(withField(t, 'remindEvery', v))} /> 再提醒一次
            </label>
            <label>
              超过 <DurationInput label="自动处理时间" value={t.actAfter} onChange={(v) => set(withField(t, 'actAfter', v))} /> 后
              <OptionalSelect
                label="超时动作"
                value={t.action}
                options={TIMEOUT_ACTION_LABELS}
                defaultLabel="不自动处理"
                onChange={(v) => set(withField(t, 'action', v))}
              />
            </label>
          </>
        )}
      </div>
    </Row>
  );
}

/** The node without its vote rule (`passRatio` / `passCount`), before another mode or rule is set. */
function withoutVoteRule(node: ApprovalNode): ApprovalNode {
  return withField(withField(node, 'passRatio', undefined), 'passCount', undefined);
}

function ApprovalPanel({ node, onChange, problems }: { node: ApprovalNode; onChange: Change; problems: Problem[] }) {
  const setMode = (mode: ApprovalNode['mode']) => {
    const rest = withoutVoteRule(node);
    onChange(mode === 'vote' ? { ...rest, mode, passRatio: 0.5 } : { ...rest, mode });
  };
  return (
    <>
      <SourceEditor label="审批人" field="approvers" source={node.approvers} problems={problems} onChange={(approvers) => onChange({ ...node, approvers })} />
      <Row label="多人审批时" field="mode" problems={problemsOf(problems, ['mode', 'passRatio', 'passCount'])}>
        <div class="stack">
          {(Object.keys(MODE_LABELS) as Array<ApprovalNode['mode']>).map((mode) => (
            <label key={mode}>
              <input type="radio" name="mode" value={mode} checked={node.mode === mode} onChange={() => setMode(mode)} />
              {MODE_LABELS[mode]}
            </label>
          ))}
          {node.mode === 'vote' && (
            <span class="vote">
              <select
                aria-label="票签规则"
                value={node.passCount !== undefined ? 'count' : 'ratio'}
                onChange={(e) =>
                  onChange(e.currentTarget.value === 'count' ? { ...withoutVoteRule(node), passCount: 1 } : { ...withoutVoteRule(node), passRatio: 0.5 })
                }
              >
                <option value="ratio">同意比例达到</option>
                <option value="count">同意票数达到</option>
              </select>
              {node.passCount !== undefined ? (
                <input
                  type="number"
                  min="1"
                  aria-label="通过票数"
                  value={node.passCount}
                  onInput={(e) => onChange({ ...node, passCount: Number(e.currentTarget.value) })}
                />
              ) : (
                <>
                  <input
                    type="number"
                    min="1"
                    max="100"
                    aria-label="通过比例"
                    value={Math.round((node.passRatio ?? 0) * 10000) / 100}
                    onInput={(e) => onChange({ ...node, passRatio: Number(e.currentTarget.value) / 100 })}
                  />
                  %
                </>
              )}
            </span>
          )}
        </div>
      </Row>
      <Row label="审批人为空时" field="onEmpty" problems={problemsOf(problems, ['onEmpty'])}>
        <OptionalSelect
          label="审批人为空时"
          value={node.onEmpty}
          options={ON_EMPTY_LABELS}
          defaultLabel="默认（自动驳回）"
          onChange={(v) => onChange(withField(node, 'onEmpty', v))}
        />
      </Row>
      <Row label="审批人去重" field="dedupe" problems={problemsOf(problems, ['dedupe'])}>
        <OptionalBoolean
          label="审批人去重"
          value={node.dedupe}
          defaultLabel="默认（开启：已同意过的人自动通过）"
          onChange={(v) => onChange(withField(node, 'dedupe', v))}
        />
      </Row>
      <Row label="审批人与发起人为同一人时" field="whenApproverIsInitiator" problems={problemsOf(problems, ['whenApproverIsInitiator'])}>
        <OptionalSelect
          label="审批人与发起人为同一人时"
          value={node.whenApproverIsInitiator}
          options={SELF_LABELS}
          defaultLabel="默认（由发起人自己审批）"
          onChange={(v) => onChange(withField(node, 'whenApproverIsInitiator', v))}
        />
      </Row>
      <TimeoutEditor node={node} onChange={onChange} problems={problems} />
    </>
  );
}

function CallEditor({
  call,
  onChange,
  label,
  field,
  problems,
}: {
  call: ServiceCall;
  onChange: (c: ServiceCall) => void;
  label: string;
  field: string;
  problems: Problem[];
}) {
  const systems = useSystems();
  const system = systems.find((s) => s.code === call.system);
  return (
    <Row label={label} field={field} problems={problemsOf(problems, [field])}>
      <span class="call">
        <select aria-label={`${label}：系统`} value={call.system} onChange={(e) => onChange({ system: e.currentTarget.value, operation: '' })}>
          <option value="">请选择系统</option>
          {!system && call.system && <option value={call.system}>{call.system}（未注册）</option>}
          {systems.map((s) => (
            <option key={s.code} value={s.code}>
              {s.name ? `${s.name}（${s.code}）` : s.code}
            </option>
          ))}
        </select>
        <select aria-label={`${label}：接口`} value={call.operation} onChange={(e) => onChange({ ...call, operation: e.currentTarget.value })}>
          <option value="">请选择接口</option>
          {call.operation && !system?.operations.includes(call.operation) && <option value={call.operation}>{call.operation}</option>}
          {system?.operations.map((op) => (
            <option key={op} value={op}>
              {op}
            </option>
          ))}
        </select>
      </span>
    </Row>
  );
}

function ServicePanel({ node, onChange, problems }: { node: Extract<FlowNode, { type: 'service' }>; onChange: Change; problems: Problem[] }) {
  return (
    <>
      <CallEditor label="调用接口" field="call" call={node.call} problems={problems} onChange={(call) => onChange({ ...node, call })} />
      <Row label="失败补偿" field="compensate-toggle">
        <label>
          <input
            type="checkbox"
            checked={node.compensate !== undefined}
            onChange={(e) => onChange(withField(node, 'compensate', e.currentTarget.checked ? { system: node.call.system, operation: '' } : undefined))}
          />
          审批被驳回、撤回或失败时调用补偿接口
        </label>
      </Row>
      {node.compensate && (
        <CallEditor
          label="补偿接口"
          field="compensate"
          call={node.compensate}
          problems={problems}
          onChange={(compensate) => onChange({ ...node, compensate })}
        />
      )}
    </>
  );
}

function BranchPanel({
  node,
  index,
  onChange,
  problems,
  definition,
}: {
  node: FlowNode;
  index: number;
  onChange: Change;
  problems: Problem[];
  definition: FlowDefinition;
}) {
  if (node.type !== 'condition') return <p class="hint">并行分支的各分支同时进行，全部完成后在汇聚节点会合。</p>;
  if (index === -1) return <p class="hint">以上条件都不满足时，进入「其他情况」。每个条件分支都需要默认分支。</p>;
  const branch = node.branches[index];
  if (!branch) return null;
  const setBranch = (next: typeof branch) => onChange({ ...node, branches: node.branches.map((b, i) => (i === index ? next : b)) });
  const prefix = `branches.${index}`;
  return (
    <>
      <Row label="分支名称" field={`${prefix}.name`} problems={problemsOf(problems, [`${prefix}.name`])}>
        <input aria-label="分支名称" value={branch.name ?? ''} onInput={(e) => setBranch(withField(branch, 'name', e.currentTarget.value || undefined))} />
      </Row>
      <Row label="条件" field={`${prefix}.when`} problems={problemsOf(problems, [`${prefix}.when`])}>
        {definition.form.fields.length === 0 && <p class="hint">请先在「表单设计」中添加字段</p>}
        <ConditionEditor condition={branch.when} fields={definition.form.fields} onChange={(when) => setBranch({ ...branch, when })} />
      </Row>
      <p class="hint">按优先级从左到右判断，第一个满足的分支生效；都不满足时进入「其他情况」。</p>
    </>
  );
}

export function NodePanel({
  definition,
  selection,
  problems,
  onChange,
  onRename,
  onClose,
}: {
  definition: FlowDefinition;
  selection: Selection;
  problems: Problem[];
  onChange: Change;
  onRename: (id: string) => void;
  onClose: () => void;
}) {
  const node = definition.nodes.find((n) => n.id === selection.id);
  if (!node) return null;
  const mine = problems.filter((p) => p.nodeId === node.id);
  const title = selection.kind === 'branch' ? (node.type === 'condition' ? '条件设置' : '分支') : NODE_TYPE_LABELS[node.type];
  const shownElsewhere = (p: Problem) => selection.kind === 'node' && p.field !== 'name' && p.field !== 'node' && p.field !== 'id';
  return (
    <aside class="panel" data-panel={`${selection.kind}:${node.id}${selection.kind === 'branch' ? `:${selection.index}` : ''}`}>
      <header>
        <h2>{title}</h2>
        <label class="node-id">
          节点 ID
          <input
            aria-label="节点 ID"
            title="发起时「发起人自选」按此 ID 传入审批人（selectedApprovers）"
            value={node.id}
            onChange={(e) => {
              const to = e.currentTarget.value.trim();
              if (to !== node.id) onRename(to);
              e.currentTarget.value = node.id;
            }}
          />
        </label>
        <button type="button" class="link" aria-label="关闭面板" onClick={onClose}>
          ×
        </button>
      </header>
      {selection.kind === 'node' && (
        <Row label="节点名称" field="name" problems={problemsOf(mine, ['name', 'node', 'id'])}>
          <input
            aria-label="节点名称"
            value={node.name ?? ''}
            placeholder={NODE_TYPE_LABELS[node.type]}
            onInput={(e) => onChange(withField(node, 'name', e.currentTarget.value || undefined))}
          />
        </Row>
      )}
      {selection.kind === 'branch' && <BranchPanel node={node} index={selection.index} onChange={onChange} problems={mine} definition={definition} />}
      {selection.kind === 'node' && node.type === 'approval' && <ApprovalPanel node={node} onChange={onChange} problems={mine} />}
      {selection.kind === 'node' && node.type === 'cc' && (
        <SourceEditor label="抄送人" field="recipients" source={node.recipients} problems={mine} onChange={(recipients) => onChange({ ...node, recipients })} />
      )}
      {selection.kind === 'node' && node.type === 'service' && <ServicePanel node={node} onChange={onChange} problems={mine} />}
      {selection.kind === 'node' && node.type === 'condition' && (
        <div class="stack">
          <ProblemLines withField problems={mine.filter((p) => !/^branches\.\d+\./.test(p.field))} />
          <p class="hint">
            点击分支卡片设置条件；用 ‹ › 调整优先级。共 {node.branches.length} 个条件分支{node.default !== undefined ? ' + 其他情况' : '，尚无默认分支'}。
          </p>
        </div>
      )}
      {selection.kind === 'node' && (node.type === 'start' || node.type === 'end' || node.type === 'parallel' || node.type === 'join') && (
        <div class="stack">
          <ProblemLines withField problems={mine.filter(shownElsewhere)} />
          <p class="hint">
            {node.type === 'start' && '所有人都可以发起此审批；发起时填写的表单在「表单设计」中设置。'}
            {node.type === 'end' && '审批到此结束，结果通知发起人和业务系统。'}
            {node.type === 'parallel' && '各分支同时进行；用「添加分支」增加分支。'}
            {node.type === 'join' && '等待所有分支完成后继续。'}
          </p>
        </div>
      )}
    </aside>
  );
}
