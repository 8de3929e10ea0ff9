import { INSTANCE_STATUS_TEXT, TASK_STATUS_TEXT } from '../../engine/status-text';
import type { InstanceStatus, TaskStatus } from '../../engine/state';

export { INSTANCE_STATUS_TEXT, TASK_STATUS_TEXT };

export const instanceStatusText = (status: string) => INSTANCE_STATUS_TEXT[status as InstanceStatus] ?? status;
export const taskStatusText = (status: string) => TASK_STATUS_TEXT[status as TaskStatus] ?? status;

/** `12-03 09:30` this year, `2025-12-03 09:30` before; China time, as DingTalk shows it. */
export function when(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const thisYear = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()).replace(/\D/g, '');
  const day = `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  return parts.year === thisYear ? day : `${parts.year}-${day}`;
}

/** A form value as text: ¥ for amounts, 是/否 for booleans. */
export function valueText(key: string, value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number' && /amount|price|total|金额/i.test(key)) return `¥${value.toLocaleString('zh-CN')}`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The timeline's event types in words; an unknown type shows as itself. */
const EVENT_TEXT: Record<string, string> = {
  instance_started: '发起审批',
  node_entered: '进入节点',
  task_created: '待审批',
  approved: '同意',
  rejected: '拒绝',
  task_completed: '自动处理',
  node_completed: '节点完成',
  instance_completed: '审批结束',
  transferred: '转交',
  signers_added: '加签',
  signers_removed: '减签',
  returned: '退回',
  resubmitted: '重新提交',
  revoked: '撤回审批',
  withdrawn: '撤销审批',
  comment: '评论',
  urged: '催办',
  reminded: '超时提醒',
  timed_out: '超时处理',
  escalated: '升级处理',
  cc_sent: '抄送',
  branch_taken: '条件分支',
  forked: '并行分支',
  joined: '分支汇合',
  service_called: '调用业务系统',
  service_completed: '业务系统完成',
  service_failed: '业务系统失败',
  compensation_started: '开始回滚',
  compensated: '已回滚',
  compensation_failed: '回滚失败',
  handed_over: '离职转交',
  terminated: '管理员终止',
  reassigned: '管理员修改审批人',
  assignee_departed: '审批人离职',
  no_approver: '无审批人',
  task_reactivated: '重新待审批',
  turn_skipped: '跳过',
  written_back: '已回写业务系统',
  card_fallback: '钉钉卡片未送达，已改发工作通知',
};
export const eventText = (type: string) => EVENT_TEXT[type] ?? type;
