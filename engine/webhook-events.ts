import type { FormValues } from './dsl';
import { isFinalStatus, isOpen, type InstanceSource, type InstanceState, type InstanceStatus, type Task, type TaskStatus } from './state';

/**
 * SPEC §8 webhooks, derived from what a transition changed: a task that appeared, a task that
 * closed, an instance that ended. Deriving them from the state (rather than from each place that
 * touches a task) means no path that creates or closes a task can forget to tell the ERP.
 */

export const WEBHOOK_TYPES = ['approval.task.created', 'approval.task.completed', 'approval.completed'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

export interface WebhookEvent {
  /** `{instanceId}:{seq}:{type}`: unique, and the same on every retry, so receivers dedupe by it. */
  eventId: string;
  type: WebhookType;
  occurredAt: string;
  instance: {
    instanceId: string;
    flowCode: string;
    flowVersion: number;
    businessKey: string;
    status: InstanceStatus;
    source?: InstanceSource;
    form: FormValues;
  };
  task?: { taskId: string; nodeId: string; assigneeId: string; status: TaskStatus; comment?: string };
  trail?: Array<{ nodeId: string; actorId: string; action: TaskStatus; at: string; comment?: string }>;
}

/** Instances that end in these statuses tell the ERP (compensation_failed too: someone must act). */
const announcedStatus = (status: InstanceStatus) => isFinalStatus(status) || status === 'compensation_failed';

/** The events between two states of one instance, numbered from `after.nextWebhookSeq` (which this advances). */
export function webhookEventsBetween(before: InstanceState, after: InstanceState, now: string): WebhookEvent[] {
  if (!after.webhooks || !after.callbackUrl) return [];
  const events: WebhookEvent[] = [];
  const emit = (type: WebhookType, extra: Pick<WebhookEvent, 'task' | 'trail'> = {}) => {
    const seq = after.nextWebhookSeq ?? 1;
    after.nextWebhookSeq = seq + 1;
    events.push({ eventId: `${after.instanceId}:${seq}:${type}`, type, occurredAt: now, instance: instanceOf(after), ...extra });
  };
  const previous = new Map(before.tasks.map((t) => [t.taskId, t]));
  for (const task of after.tasks) {
    const earlier = previous.get(task.taskId);
    if (!earlier) emit('approval.task.created', { task: taskOf(task) });
    if ((!earlier || isOpen(earlier)) && !isOpen(task)) emit('approval.task.completed', { task: taskOf(task) });
  }
  if (after.status !== before.status && announcedStatus(after.status)) emit('approval.completed', { trail: trailOf(after) });
  return events;
}

function instanceOf(state: InstanceState): WebhookEvent['instance'] {
  return {
    instanceId: state.instanceId,
    flowCode: state.flowCode,
    flowVersion: state.flowVersion,
    businessKey: state.businessKey,
    status: state.status,
    ...(state.source ? { source: state.source } : {}),
    form: state.form,
  };
}

function taskOf(task: Task): NonNullable<WebhookEvent['task']> {
  return {
    taskId: task.taskId,
    nodeId: task.nodeId,
    assigneeId: task.assigneeId,
    status: task.status,
    ...(task.comment !== undefined ? { comment: task.comment } : {}),
  };
}

/** What people (and the rules acting for them) decided, in the order they did. */
function trailOf(state: InstanceState): NonNullable<WebhookEvent['trail']> {
  const decided: TaskStatus[] = ['approved', 'rejected', 'auto_approved', 'transferred', 'returned'];
  return state.tasks
    .filter((t) => t.completedAt !== undefined && decided.includes(t.status))
    .sort((a, b) => (a.completedAt! < b.completedAt! ? -1 : a.completedAt! > b.completedAt! ? 1 : 0))
    .map((t) => ({
      nodeId: t.nodeId,
      actorId: t.assigneeId,
      action: t.status,
      at: t.completedAt!,
      ...(t.comment !== undefined ? { comment: t.comment } : {}),
    }));
}
