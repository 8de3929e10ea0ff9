import type { Db } from '../../db/client';
import { findPeople, recordNotificationAttempt, type DingTalkPerson } from '../../db/dingtalk-channel';
import { enqueueNotifications, listNotifications, type Notification } from '../../db/notifications';
import { isFinalStatus } from '../../engine/state';
import { INSTANCE_STATUS_TEXT } from '../../engine/status-text';
import { approvalTitle, keyFields, taskPageUrl, type CardContext } from '../../integrations/dingtalk/approval-card';
import { DingTalkError, type DingTalkApi, type WorkNotificationMessage } from '../../integrations/dingtalk/dingtalk-api';
import type { ChannelProblem } from '../../engine/channel-reports';
import { dingtalkNotifications } from '../../observability/metrics';
import { channelFailureResult, finalFailure } from './dingtalk-failures';

const KIND_LABEL: Record<string, string> = {
  reminder: '审批提醒',
  urge: '催办',
  cc: '抄送',
  escalated: '超时转交',
  handed_over: '离职转交',
  result: '审批结果',
};

/**
 * Sends the instance's notifications outbox as DingTalk work notifications (action cards linking
 * the H5 page), each row once: a row is marked sent, or failed with its error, after its attempt.
 * Once the instance has ended the initiator's result notice joins the outbox (its key makes it one).
 * DingTalk drops the same content to the same person within a day, so each text carries its row
 * id and time.
 */
export async function sendPendingNotices(
  db: Db,
  api: DingTalkApi,
  context: CardContext,
  people: ReadonlyMap<string, DingTalkPerson>,
): Promise<ChannelProblem[]> {
  const { view } = context;
  if (isFinalStatus(view.status)) {
    await enqueueNotifications(db, [
      {
        key: `${view.instanceId}:result:${view.initiatorId}`,
        instanceId: view.instanceId,
        kind: 'result',
        recipientId: view.initiatorId,
        title: `${INSTANCE_STATUS_TEXT[view.status]}: ${view.flowName} ${view.businessKey}`,
        payload: { status: view.status },
      },
    ]);
  }
  const rows = await listNotifications(db, { instanceId: view.instanceId, state: 'pending' });
  if (rows.length === 0) return [];
  const missing = rows.map((r) => r.recipientId).filter((id) => !people.has(id));
  const everyone = new Map(people);
  for (const [id, person] of await findPeople(db, missing)) everyone.set(id, person);

  const reports: ChannelProblem[] = [];
  for (const row of rows) {
    // The outbox's kinds are the product's own; a row of another (written by a newer version) counts as `other`.
    const kind = Object.hasOwn(KIND_LABEL, row.kind) ? row.kind : 'other';
    const userId = everyone.get(row.recipientId)?.dingtalkUserId;
    if (!userId) {
      await recordNotificationAttempt(db, row.id, { state: 'failed', error: 'the recipient has no DingTalk userId' });
      dingtalkNotifications.inc({ kind, result: 'failed' });
      reports.push({
        type: 'notice_failed',
        userId: row.recipientId,
        code: 'no_dingtalk_user',
        message: `${row.kind} notice: ${row.recipientId} has no DingTalk account`,
      });
      continue;
    }
    try {
      const sent = await api.sendWorkNotification({ userIds: [userId], msg: noticeMessage(row, context) });
      await recordNotificationAttempt(db, row.id, { state: 'sent', dingtalkTaskId: String(sent.taskId) });
      dingtalkNotifications.inc({ kind, result: 'ok' });
    } catch (err) {
      dingtalkNotifications.inc({ kind, result: channelFailureResult(err) });
      // Tried again with the whole reconciliation: the row stays pending, with what went wrong.
      if (!(err instanceof DingTalkError) || err.retryable)
        await recordNotificationAttempt(db, row.id, { state: 'pending', error: err instanceof Error ? err.message : String(err) });
      const failure = finalFailure(err);
      await recordNotificationAttempt(db, row.id, { state: 'failed', error: failure.message });
      reports.push({ type: 'notice_failed', userId: row.recipientId, code: failure.code, message: `${row.kind} notice: ${failure.message}` });
    }
  }
  return reports;
}

function noticeMessage(row: Notification, context: CardContext): WorkNotificationMessage {
  const { view, publicBaseUrl } = context;
  const label = KIND_LABEL[row.kind] ?? '通知';
  const title = `【${label}】${approvalTitle(context)}`;
  const fields = keyFields(view, context.formFields)
    .slice(0, 3)
    .map((f) => `- ${f.label}: ${f.value}`)
    .join('\n');
  const at = row.createdAt.toISOString().slice(0, 16).replace('T', ' ');
  const taskId = row.taskId ?? view.tasks.find((t) => t.assigneeId === row.recipientId)?.taskId;
  const url = taskId ? taskPageUrl(publicBaseUrl, view.instanceId, taskId) : `${publicBaseUrl.replace(/\/+$/, '')}/h5/`;
  const markdown = `### ${title}\n\n${row.title}\n\n${fields}\n\n<font color=#999999>${at} UTC · #${row.id}</font>`;
  return { msgtype: 'action_card', action_card: { title, markdown: truncateBytes(markdown, 1500), single_title: '查看详情', single_url: url } };
}

/** DingTalk refuses a `msg` over 2048 bytes; the markdown is most of it. */
function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  return `${bytes
    .subarray(0, max - 3)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')}…`;
}
