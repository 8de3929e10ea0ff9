import { taskStatusText } from '../format';
import type { InstanceView, RouteNode } from '../types';

const STATE_TEXT: Record<RouteNode['state'], string> = { done: '已完成', current: '进行中', upcoming: '待审批', not_reached: '未到达' };

/** What a node's state is called, in the words of its kind. */
function stateText(node: RouteNode): string {
  if (node.type === 'start') return node.state === 'current' ? '待重新提交' : '已提交';
  if (node.type === 'cc') return node.state === 'done' ? '已抄送' : node.state === 'upcoming' ? '待抄送' : STATE_TEXT[node.state];
  if (node.type === 'end') return node.state === 'done' ? '已结束' : '';
  if (node.type === 'service') return node.state === 'done' ? '已完成' : node.state === 'upcoming' ? '待执行' : STATE_TEXT[node.state];
  return STATE_TEXT[node.state];
}
const MODE_TEXT: Record<string, string> = { all: '会签', any: '或签', sequential: '依次审批', vote: '票签' };
const TYPE_TEXT: Record<RouteNode['type'], string> = {
  start: '发起',
  approval: '审批',
  condition: '条件分支',
  cc: '抄送',
  service: '业务系统',
  parallel: '并行分支',
  join: '汇合',
  end: '结束',
};

/** 审批流程: the route, node by node, with who approved, who is on it now, and who would approve next. */
export function RouteSteps({ nodes, view, people }: { nodes: RouteNode[]; view: InstanceView; people: Record<string, string> }) {
  const name = (id: string) => people[id] ?? id;
  const tasksById = new Map(view.tasks.map((t) => [t.taskId, t]));
  const shown = nodes.filter((n) => n.type !== 'condition' && n.type !== 'join' && n.type !== 'parallel');
  return (
    <ol class="route">
      {shown.map((node) => (
        <li class={`step step-${node.state}`} key={node.nodeId} data-node={node.nodeId} data-state={node.state}>
          <div class="step-head">
            <strong>{node.type === 'start' ? '发起人' : (node.name ?? TYPE_TEXT[node.type])}</strong>
            {node.mode && node.mode !== 'any' && <span class="tag">{MODE_TEXT[node.mode]}</span>}
            <span class="step-state">{stateText(node)}</span>
          </div>
          <div class="step-people">
            {node.type === 'start' && <span>{name(view.initiatorId)}</span>}
            {(node.taskIds ?? []).map((taskId) => {
              const task = tasksById.get(taskId);
              if (!task) return null;
              return (
                <span class={`person task-${task.status}`} key={taskId}>
                  {name(task.assigneeId)}
                  {task.delegatedFrom && <small>（代 {name(task.delegatedFrom)}）</small>}
                  <em>{taskStatusText(task.status)}</em>
                  {task.comment && <q>{task.comment}</q>}
                </span>
              );
            })}
            {(node.approvers ?? []).map((a) => (
              <span class="person" key={a.userId}>
                {name(a.userId)}
                {a.autoApproved && <em>将自动同意</em>}
              </span>
            ))}
            {(node.recipients ?? []).map((id) => (
              <span class="person" key={id}>
                {name(id)}
              </span>
            ))}
            {node.state === 'upcoming' && node.whenEmpty && (
              <span class="hint">无审批人：{node.whenEmpty === 'auto_approve' ? '自动同意' : node.whenEmpty === 'to_admin' ? '转交管理员' : '自动拒绝'}</span>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
