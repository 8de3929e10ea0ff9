import { createHash } from 'node:crypto';
import type { FormField } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import type { TaskStatus } from '../../engine/state';
import { INSTANCE_STATUS_TEXT, TASK_STATUS_TEXT } from '../../engine/status-text';
import type { CardParamMap } from './dingtalk-api';

/**
 * What an approver's DingTalk card shows (SPEC §8), as the `cardParamMap` of the card template:
 * `title`, `initiator`, `fields` (JSON `[{label, value}]`), `status`, `statusText`, `result`,
 * `actor`, `nodeStatus` (everyone's decision on the node), `actionable` ("true" shows 同意 / 拒绝) and `detailUrl` (查看详情). Values are strings,
 * as DingTalk requires.
 */

export type CardTask = InstanceView['tasks'][number];

export interface CardContext {
  view: InstanceView;
  /** The form's fields in the definition's order, for labels. */
  formFields: FormField[];
  /** Display names by our user id. */
  names: ReadonlyMap<string, string>;
  publicBaseUrl: string;
}

/** How many form fields a card shows: the first ones the definition lists. */
const KEY_FIELDS = 5;

/** Our id of the card of one task, unique across instances (task ids are unique only within theirs); also the todo's `sourceId`. */
export function outTrackIdOf(instanceId: string, taskId: string): string {
  return `apv_${createHash('sha256').update(`${instanceId}\n${taskId}`).digest('hex').slice(0, 40)}`;
}

/** The H5 page of a task (the H5 app serves it; the card's 查看详情 and the todo's detailUrl open it). */
export function taskPageUrl(publicBaseUrl: string, instanceId: string, taskId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/h5/tasks/${encodeURIComponent(instanceId)}/${encodeURIComponent(taskId)}`;
}

export function nameOf(names: ReadonlyMap<string, string>, userId: string): string {
  return names.get(userId) ?? userId;
}

/** `张三提交的采购审批`, DingTalk OA's way of naming an approval. */
export function approvalTitle(context: Pick<CardContext, 'view' | 'names'>): string {
  return `${nameOf(context.names, context.view.initiatorId)}提交的${context.view.flowName}`;
}

export function keyFields(view: InstanceView, formFields: FormField[]): Array<{ label: string; value: string }> {
  const listed = formFields.filter((f) => view.form[f.key] !== undefined && view.form[f.key] !== null).slice(0, KEY_FIELDS);
  return listed.map((f) => ({ label: f.label ?? f.key, value: displayValue(view.form[f.key]) }));
}

function displayValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Who closed the task, as the card says it: the assignee for their own decision, else why it closed. */
function actorText(task: CardTask, names: ReadonlyMap<string, string>): string {
  switch (task.status) {
    case 'approved':
    case 'rejected':
    case 'returned':
      return nameOf(names, task.assigneeId);
    case 'transferred':
      return `${nameOf(names, task.assigneeId)}转交`;
    default:
      return '';
  }
}

export function approvalCardParams(context: CardContext, task: CardTask): CardParamMap {
  const { view, names } = context;
  return {
    title: approvalTitle(context),
    initiator: nameOf(names, view.initiatorId),
    fields: JSON.stringify(keyFields(view, context.formFields)),
    status: task.status,
    statusText: TASK_STATUS_TEXT[task.status],
    result: INSTANCE_STATUS_TEXT[view.status],
    actor: actorText(task, names),
    nodeStatus: nodeStatus(context, task.nodeId),
    actionable: String(task.status === 'pending' && view.status === 'running'),
    detailUrl: taskPageUrl(context.publicBaseUrl, view.instanceId, task.taskId),
  };
}

/** What a task's status says beside its assignee's name on the node's line; transferred and cancelled tasks are left out. */
const { transferred: _transferred, cancelled: _cancelled, ...decisions } = TASK_STATUS_TEXT;
const DECISION_TEXT: Partial<Record<TaskStatus, string>> = { ...decisions, waiting: '等待加签' };

/** Each person's decision on the node so far, as every card of the node shows it: `张三已同意；李四待审批`. */
function nodeStatus(context: CardContext, nodeId: string): string {
  return context.view.tasks
    .filter((t) => t.nodeId === nodeId && DECISION_TEXT[t.status] !== undefined)
    .map((t) => `${nameOf(context.names, t.assigneeId)}${DECISION_TEXT[t.status]}`)
    .join('；');
}

/** The card of a click that changed nothing: what it shows now, and why. */
export function refusedClickParams(params: CardParamMap, why: string): CardParamMap {
  return { ...params, notice: why };
}

export { INSTANCE_STATUS_TEXT };
