import type { InstanceStatus, TaskStatus } from './state';

/** What people read for each status, the same on a DingTalk card, a work notice and the H5 page. */

export const TASK_STATUS_TEXT: Record<TaskStatus, string> = {
  pending: '待审批',
  waiting: '等待加签人审批',
  approved: '已同意',
  rejected: '已拒绝',
  transferred: '已转交',
  cancelled: '无需处理',
  returned: '已退回',
  auto_approved: '已自动同意',
};

export const INSTANCE_STATUS_TEXT: Record<InstanceStatus, string> = {
  running: '审批中',
  approved: '审批通过',
  rejected: '审批拒绝',
  withdrawn: '已撤回',
  failed: '审批失败',
  terminated: '已终止',
  compensating: '审批失败，正在回滚',
  compensation_failed: '审批失败，回滚未完成',
};
