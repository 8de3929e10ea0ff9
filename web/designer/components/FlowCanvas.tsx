import { useState } from 'preact/hooks';
import type { FlowDefinition, FlowNode } from '../../../engine/dsl';
import { conditionText } from '../conditions';
import type { Edge, Lane, LaneItem } from '../flow-layout';
import type { NewNodeKind } from '../flow-edits';
import { MODE_SHORT, NODE_TYPE_LABELS, sourceSummary, timeoutSummary } from '../labels';
import type { Problem } from '../api-types';
import { problemText } from '../problem-text';

/** Which part of the flow the side panel shows: a box, a branch of a condition or fork (-1: the default), or the flow as a whole. */
export type Selection = { kind: 'node'; id: string } | { kind: 'branch'; id: string; index: number };

export interface CanvasActions {
  select(selection: Selection): void;
  insert(edges: Edge[], kind: NewNodeKind): void;
  remove(id: string): void;
  move(id: string, direction: 'up' | 'down'): void;
  addBranch(blockId: string): void;
  removeBranch(blockId: string, index: number): void;
  moveBranch(blockId: string, index: number, direction: 'left' | 'right'): void;
  addDefault(blockId: string): void;
  /** The lane ends the flow here (its bottom edges lead to the end node). */
  endHere(edges: Edge[]): void;
  /** An early end taken back: its edges lead to where the lane meets the others. */
  continueInstead(edges: Edge[], meet: string): void;
}

interface CanvasProps {
  definition: FlowDefinition;
  main: Lane;
  problems: Problem[];
  selection: Selection | undefined;
  userName: (id: string) => string;
  actions: CanvasActions;
}

const ADD_CHOICES: Array<{ kind: NewNodeKind; label: string; hint: string }> = [
  { kind: 'approval', label: '审批人', hint: '指定成员、主管、角色审批' },
  { kind: 'cc', label: '抄送人', hint: '通知相关人，无需处理' },
  { kind: 'service', label: '服务调用', hint: '调用 ERP 接口，可补偿' },
  { kind: 'condition', label: '条件分支', hint: '按表单内容走不同分支' },
  { kind: 'parallel', label: '并行分支', hint: '多个分支同时审批后汇聚' },
];

const edgeKey = (edges: Edge[]) => edges.map((e) => `${e.from}:${e.field}`).join(',');

function AddButton({ edges, actions, endable = false }: { edges: Edge[]; actions: CanvasActions; endable?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="add-point">
      <button type="button" class="add-button" data-add={edgeKey(edges)} aria-label="添加节点" onClick={() => setOpen(!open)}>
        +
      </button>
      {open && (
        <div class="add-menu" role="menu">
          {ADD_CHOICES.map((choice) => (
            <button
              type="button"
              role="menuitem"
              key={choice.kind}
              class={`add-choice kind-${choice.kind}`}
              data-kind={choice.kind}
              onClick={() => {
                setOpen(false);
                actions.insert(edges, choice.kind);
              }}
            >
              <strong>{choice.label}</strong>
              <small>{choice.hint}</small>
            </button>
          ))}
          {endable && (
            <button
              type="button"
              role="menuitem"
              class="add-choice kind-end"
              data-kind="end"
              onClick={() => {
                setOpen(false);
                actions.endHere(edges);
              }}
            >
              <strong>结束流程</strong>
              <small>此分支到此直接结束</small>
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** The grey line of a box's summary: who approves, how, when it times out. */
function nodeSummary(node: FlowNode, userName: (id: string) => string): string {
  switch (node.type) {
    case 'start':
      return '所有人可发起';
    case 'approval': {
      const who = sourceSummary(node.approvers, userName);
      if (!who) return '';
      const how =
        node.mode === 'vote'
          ? `票签 ${node.passCount !== undefined ? `${node.passCount} 票` : `${Math.round((node.passRatio ?? 0) * 100)}%`}`
          : MODE_SHORT[node.mode];
      return [who, how, timeoutSummary(node)].filter(Boolean).join(' · ');
    }
    case 'cc':
      return sourceSummary(node.recipients, userName);
    case 'service':
      if (!node.call.system || !node.call.operation) return '';
      return `${node.call.system}.${node.call.operation}${node.compensate ? `（失败补偿：${node.compensate.operation}）` : ''}`;
    case 'join':
      return '等待所有分支完成';
    default:
      return '';
  }
}

const PLACEHOLDERS: Partial<Record<FlowNode['type'], string>> = { approval: '请设置审批人', cc: '请设置抄送人', service: '请选择系统和接口' };

function NodeCard({ node, props, movable }: { node: FlowNode; props: CanvasProps; movable: boolean }) {
  const { actions, selection, problems } = props;
  const mine = problems.filter((p) => p.nodeId === node.id);
  const selected = selection?.kind === 'node' && selection.id === node.id;
  const summary = nodeSummary(node, props.userName);
  if (node.type === 'end') {
    return (
      <div class={`end-node ${selected ? 'selected' : ''}`} data-node-id={node.id} onClick={() => actions.select({ kind: 'node', id: node.id })}>
        {node.name ?? '流程结束'}
      </div>
    );
  }
  const removable = node.type !== 'start' && node.type !== 'join';
  return (
    <div
      class={`node-card type-${node.type} ${selected ? 'selected' : ''} ${mine.length > 0 ? 'has-problems' : ''}`}
      data-node-id={node.id}
      onClick={() => actions.select({ kind: 'node', id: node.id })}
    >
      <div class="node-head">
        <span class="node-title">{node.name ?? NODE_TYPE_LABELS[node.type]}</span>
        <span class="node-tools" onClick={(e) => e.stopPropagation()}>
          {movable && (
            <>
              <button type="button" title="上移" aria-label="上移" onClick={() => actions.move(node.id, 'up')}>
                ↑
              </button>
              <button type="button" title="下移" aria-label="下移" onClick={() => actions.move(node.id, 'down')}>
                ↓
              </button>
            </>
          )}
          {removable && (
            <button type="button" class="remove" title="删除" aria-label="删除节点" onClick={() => actions.remove(node.id)}>
              ×
            </button>
          )}
        </span>
      </div>
      <div class="node-body">
        {summary ? <span>{summary}</span> : <span class="placeholder">{PLACEHOLDERS[node.type] ?? NODE_TYPE_LABELS[node.type]}</span>}
        {mine.length > 0 && (
          <span class="problem-badge" title={mine.map((p) => `${p.field}：${problemText(p.message)}`).join('\n')}>
            ! {mine.length}
          </span>
        )}
      </div>
    </div>
  );
}

function BranchCard({ block, index, props }: { block: FlowNode; index: number; props: CanvasProps }) {
  const { actions, selection, problems, definition } = props;
  const selected = selection?.kind === 'branch' && selection.id === block.id && selection.index === index;
  let title: string;
  let body: string;
  let count: number;
  const fieldPrefix = index === -1 ? 'default' : `branches.${index}`;
  const mine = problems.filter((p) => p.nodeId === block.id && (p.field === fieldPrefix || p.field.startsWith(`${fieldPrefix}.`)));
  if (block.type === 'condition') {
    count = block.branches.length;
    const branch = index === -1 ? undefined : block.branches[index];
    title = index === -1 ? '其他情况' : (branch?.name ?? `条件${index + 1}`);
    body = index === -1 ? '其他条件进入此流程' : branch ? conditionText(branch.when, definition.form.fields) || '请设置条件' : '';
  } else {
    count = block.type === 'parallel' ? block.branches.length : 0;
    title = `分支 ${index + 1}`;
    body = '同时进行';
  }
  const priority = block.type === 'condition' && index !== -1;
  return (
    <div
      class={`branch-card ${selected ? 'selected' : ''} ${mine.length > 0 ? 'has-problems' : ''}`}
      data-branch={`${block.id}:${index}`}
      onClick={() => actions.select({ kind: 'branch', id: block.id, index })}
    >
      <div class="node-head">
        <span class="node-title">{title}</span>
        {priority && <span class="priority">优先级 {index + 1}</span>}
        <span class="node-tools" onClick={(e) => e.stopPropagation()}>
          {index > 0 && (
            <button type="button" title="左移（提高优先级）" aria-label="左移" onClick={() => actions.moveBranch(block.id, index, 'left')}>
              ‹
            </button>
          )}
          {index !== -1 && index < count - 1 && (
            <button type="button" title="右移（降低优先级）" aria-label="右移" onClick={() => actions.moveBranch(block.id, index, 'right')}>
              ›
            </button>
          )}
          {index !== -1 && (
            <button type="button" class="remove" title="删除分支" aria-label="删除分支" onClick={() => actions.removeBranch(block.id, index)}>
              ×
            </button>
          )}
        </span>
      </div>
      <div class={`node-body ${body === '请设置条件' ? 'placeholder' : ''}`}>{body}</div>
    </div>
  );
}

function Block({ item, props }: { item: Extract<LaneItem, { kind: 'condition' | 'parallel' }>; props: CanvasProps }) {
  const byId = new Map(props.definition.nodes.map((n) => [n.id, n] as const));
  const block = byId.get(item.id)!;
  const { actions, selection, problems } = props;
  const selected = selection?.kind === 'node' && selection.id === item.id;
  const blockProblems = problems.filter((p) => p.nodeId === item.id && !/^(branches\.\d+|default)(\.|$)/.test(p.field));
  const lanes = [
    ...item.branches.map((lane, index) => ({ lane, index })),
    ...(item.kind === 'condition' && item.otherwise ? [{ lane: item.otherwise, index: -1 }] : []),
  ];
  const join = item.kind === 'parallel' && item.join ? byId.get(item.join) : undefined;
  return (
    <div class="block-wrap">
      <div class={`block block-${item.kind}`} data-block={item.id}>
        <div class="block-top">
          <button
            type="button"
            class={`block-title ${selected ? 'selected' : ''} ${blockProblems.length > 0 ? 'has-problems' : ''}`}
            data-node-id={item.id}
            onClick={() => actions.select({ kind: 'node', id: item.id })}
          >
            {block.name ?? NODE_TYPE_LABELS[block.type]}
            {blockProblems.length > 0 && <span class="problem-badge">! {blockProblems.length}</span>}
          </button>
          <button type="button" class="block-add" onClick={() => actions.addBranch(item.id)}>
            {item.kind === 'condition' ? '添加条件' : '添加分支'}
          </button>
          {item.kind === 'condition' && !item.otherwise && (
            <button type="button" class="block-add" onClick={() => actions.addDefault(item.id)}>
              添加默认分支
            </button>
          )}
          <button type="button" class="block-remove" aria-label="删除整个分支块" title="删除整个分支块" onClick={() => actions.remove(item.id)}>
            ×
          </button>
        </div>
        <div class="lanes">
          {lanes.map(({ lane, index }) => (
            <div class="branch" key={index}>
              <BranchCard block={block} index={index} props={props} />
              <LaneView lane={lane} props={props} main={false} />
            </div>
          ))}
        </div>
      </div>
      {join && (
        <div class="join-row">
          <NodeCard node={join} props={props} movable={false} />
        </div>
      )}
    </div>
  );
}

function ItemView({ item, lane, props }: { item: LaneItem; lane: Lane; props: CanvasProps }) {
  const node = props.definition.nodes.find((n) => n.id === item.id);
  switch (item.kind) {
    case 'node':
      return node ? <NodeCard node={node} props={props} movable={node.type !== 'start' && node.type !== 'end' && node.type !== 'join'} /> : null;
    case 'condition':
    case 'parallel':
      return <Block item={item} props={props} />;
    case 'goto':
      return (
        <div class="ref goto" data-goto={item.id}>
          转到：{node?.name ?? item.id}
        </div>
      );
    case 'end_ref':
      return (
        <div class="ref end-ref" data-end-ref={item.id}>
          流程结束
          {lane.stop !== null && (
            <button
              type="button"
              class="link"
              title="不在此结束，与其他分支汇合后继续"
              aria-label="取消结束"
              onClick={() => props.actions.continueInstead(item.edges, lane.stop!)}
            >
              ×
            </button>
          )}
        </div>
      );
    case 'missing':
      return (
        <div class="ref missing" data-missing={item.id}>
          找不到节点 {item.id}
        </div>
      );
  }
}

function LaneView({ lane, props, main }: { lane: Lane; props: CanvasProps; main: boolean }) {
  return (
    <div class="lane">
      {lane.items.map((item, i) => (
        <div class="lane-item" key={`${item.kind}:${item.id}`}>
          {(i > 0 || !main) && item.edges.length > 0 && <AddButton edges={item.edges} actions={props.actions} />}
          <ItemView item={item} lane={lane} props={props} />
        </div>
      ))}
      {lane.exits.length > 0 && <AddButton edges={lane.exits} actions={props.actions} endable={!main} />}
      {!main && <div class="lane-tail" />}
    </div>
  );
}

export function FlowCanvas(props: CanvasProps) {
  return (
    <div class="canvas" data-testid="canvas">
      <LaneView lane={props.main} props={props} main />
    </div>
  );
}
