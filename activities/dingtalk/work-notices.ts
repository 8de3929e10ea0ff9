import type { Db } from '../../db/client';
import { findPeople, pendingNotifications, recordNotificationAttempt, type DingTalkPerson, type NotificationRow } from '../../db/dingtalk-channel';
import { enqueueNotifications } from '../../db/notifications';
import { isFinalStatus } from '../../engine/state';
import { approvalTitle, INSTANCE_STATUS_TEXT, keyFields, taskPageUrl, type CardContext } from '../../integrations/dingtalk/approval-card';
import type { DingTalkApi, WorkNotificationMessage } from '../../integrations/dingtalk/dingtalk-api';
import type { ChannelProblem as ChannelReport } from '../../engine/channel-reports';
import { finalFailure } from './dingtalk-failures';

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
): Promise<ChannelReport[]> {
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
  const rows = await pendingNotifications(db, view.instanceId);
  if (rows.length === 0) return [];
  const missing = rows.map((r) => r.recipientId).filter((id) => !people.has(id));
  const everyone = new Map(people);
  for (const [id, person] of await findPeople(db, missing)) everyone.set(id, person);

  const reports: ChannelReport[] = [];
  for (const row of rows) {
    const userId = everyone.get(row.recipientId)?.dingtalkUserId;
    if (!userId) {
      await recordNotificationAttempt(db, row.id, { state: 'failed', error: 'the recipient has no DingTalk userId' });
      reports.push({
        type: 'notice_failed',
        userId: row.recipientId,
        code: 'no_dingtalk_user',
        message: `${row.kind} notice: ${row.recipientId} has no DingTalk account`,
      });
      continue;
    }
    try {
      const sent = await api.sendWorkNotification({ userIds: [userId], msg: noticeMessage(row, context, everyone) });
      await recordNotificationAttempt(db, row.id, { state: 'sent', dingtalkTaskId: String(sent.taskId) });
    } catch (err) {
      let failure;
      try {
        failure = finalFailure(err);
      } catch (retryable) {
        await recordNotificationAttempt(db, row.id, { state: 'pending', error: retryable instanceof Error ? retryable.message : String(retryable) });
        throw retryable;
      }
      await recordNotificationAttempt(db, row.id, { state: 'failed', error: failure.message });
      reports.push({ type: 'notice_failed', userId: row.recipientId, code: failure.code, message: `${row.kind} notice: ${failure.message}` });
    }
  }
  return reports;
}

function noticeMessage(row: NotificationRow, context: CardContext, people: ReadonlyMap<string, DingTalkPerson>): WorkNotificationMessage {
  const { view, publicBaseUrl } = context;
  const names = new Map([...people].map(([id, p]) => [id, p.name]));
  const label = KIND_LABEL[row.kind] ?? '通知';
  const title = `【${label}】${approvalTitle({ view, names })}`;
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
