import type { ConditionOp } from '../../engine/condition';
import type { ApproverSource, FlowNode, FormField } from '../../engine/dsl';
import { durationText } from './durations';

/** The designer's words for the DSL's values (SPEC §4), in the terms DingTalk OA uses. */

export const NODE_TYPE_LABELS: Record<FlowNode['type'], string> = {
  start: '发起人',
  approval: '审批人',
  condition: '条件分支',
  cc: '抄送人',
  service: '服务调用',
  parallel: '并行分支',
  join: '汇聚',
  end: '流程结束',
};

export const MODE_LABELS = {
  any: '或签（一人同意即可）',
  all: '会签（需所有人同意）',
  sequential: '依次审批（按顺序）',
  vote: '票签（按比例或票数）',
} as const;
export const MODE_SHORT = { any: '或签', all: '会签', sequential: '依次审批', vote: '票签' } as const;

export const SOURCE_LABELS: Record<ApproverSource['type'], string> = {
  users: '指定成员',
  role: '角色',
  manager: '主管',
  dept_leader: '部门负责人',
  initiator_select: '发起人自选',
  initiator: '发起人本人',
};

export const ON_EMPTY_LABELS = { auto_approve: '自动通过', to_admin: '转交给流程管理员', reject: '自动驳回' } as const;
export const SELF_LABELS = { approve_self: '由发起人自己审批', auto_approve: '自动通过', to_manager: '转交直属主管审批' } as const;
export const TIMEOUT_ACTION_LABELS = { approve: '自动通过', reject: '自动驳回', escalate: '上报上级主管', to_admin: '转交流程管理员' } as const;

export const OP_LABELS: Record<ConditionOp, string> = {
  '==': '等于',
  '!=': '不等于',
  '>': '大于',
  '>=': '大于等于',
  '<': '小于',
  '<=': '小于等于',
  in: '属于',
  not_in: '不属于',
  contains: '包含',
  starts_with: '开头是',
  is_empty: '为空',
};

export const FIELD_TYPE_LABELS: Record<FormField['type'], string> = { string: '文本', number: '数字', boolean: '是/否', date: '日期' };

/** One line saying who a source names, e.g. "直属主管（向上 2 级）". */
export function sourceSummary(source: ApproverSource, userName: (id: string) => string = (id) => id): string {
  switch (source.type) {
    case 'users':
      return source.ids.length === 0 ? '' : source.ids.map(userName).join('、');
    case 'role':
      return source.role ? `角色：${source.role}` : '';
    case 'manager':
      return source.untilTitle ? `逐级主管，直到「${source.untilTitle}」` : (source.levels ?? 1) === 1 ? '直属主管' : `向上 ${source.levels} 级主管`;
    case 'dept_leader':
      return (source.levels ?? 1) === 1 ? '发起人所在部门负责人' : `向上第 ${source.levels} 级部门负责人`;
    case 'initiator_select':
      return source.multiple ? '发起人自选（可多选）' : '发起人自选（单选）';
    case 'initiator':
      return '发起人本人';
  }
}

export function timeoutSummary(node: Extract<FlowNode, { type: 'approval' }>): string {
  const t = node.timeout;
  if (!t) return '';
  const parts = [];
  if (t.remindAfter) parts.push(`${durationText(t.remindAfter)}未处理提醒${t.remindEvery ? `，每 ${durationText(t.remindEvery)}再提醒` : ''}`);
  if (t.actAfter && t.action) parts.push(`${durationText(t.actAfter)}后${TIMEOUT_ACTION_LABELS[t.action]}`);
  return parts.join('；');
}

const PATH_LABELS: Record<string, string> = {
  code: '流程编码',
  name: '名称',
  description: '说明',
  admins: '流程管理员',
  label: '字段名称',
  type: '类型',
  required: '必填',
  options: '可选项',
  approvers: '审批人',
  recipients: '抄送人',
  mode: '多人审批方式',
  passRatio: '通过比例',
  passCount: '通过票数',
  onEmpty: '审批人为空时',
  dedupe: '审批人去重',
  whenApproverIsInitiator: '审批人与发起人为同一人时',
  timeout: '超时处理',
  next: '下一节点',
  branches: '分支',
  default: '其他情况（默认分支）',
  call: '调用接口',
  compensate: '补偿接口',
};

/** What a changed field's path is about, as an admin reads it: `approvers.ids.1` → 审批人. */
export const pathLabel = (path: string): string | undefined => PATH_LABELS[path.split('.')[0] ?? path];
