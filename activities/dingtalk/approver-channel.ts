import type { Db } from '../../db/client';
import type { ChannelProblem } from '../../engine/channel-reports';
import {
  findCard,
  listCards,
  listTodos,
  markTodoDone,
  saveCard,
  saveTodo,
  updateCardState,
  type CardRow,
  type DingTalkPerson,
} from '../../db/dingtalk-channel';
import { findProjectedView } from '../../db/instance-reads';
import { approvalCardParams, approvalTitle, outTrackIdOf, taskPageUrl, type CardTask } from '../../integrations/dingtalk/approval-card';
import { loadCardContext } from '../../integrations/dingtalk/card-context';
import { DingTalkError, type CardParamMap, type DingTalkApi } from '../../integrations/dingtalk/dingtalk-api';
import { dingtalkCards, dingtalkNotifications, dingtalkTodos } from '../../observability/metrics';
import { channelFailureResult, finalFailure } from './dingtalk-failures';
import { sendPendingNotices } from './work-notices';

/** How cards are delivered: the template, and where clicks come back. */
export interface CardSettings {
  publicBaseUrl: string;
  cardTemplateId: string;
  callbackMode: 'http' | 'stream';
  callbackRouteKey: string;
  robotCode?: string;
}

/** The card settings of a DingTalk configuration. */
export function cardSettingsOf(
  config: Pick<CardSettings, 'cardTemplateId' | 'callbackMode' | 'callbackRouteKey' | 'robotCode'>,
  publicBaseUrl: string,
): CardSettings {
  return {
    publicBaseUrl,
    cardTemplateId: config.cardTemplateId,
    callbackMode: config.callbackMode,
    callbackRouteKey: config.callbackRouteKey,
    ...(config.robotCode ? { robotCode: config.robotCode } : {}),
  };
}

export interface ApproverChannelInput {
  instanceId: string;
}

/**
 * Brings the instance's DingTalk side in line with its projection (which the workflow wrote just
 * before): a card and a todo for every pending task, every card showing what its task and node are
 * now, the todos of closed tasks done, the notices of the outbox sent. It compares with what it
 * sent before (dingtalk_cards, dingtalk_todos, notifications), so a retry or a second run sends
 * only what is still missing. DingTalk being down throws a retryable failure and the whole
 * reconciliation runs again later, from the projection as it is then.
 */
export function createApproverChannelActivities(db: Db, api: DingTalkApi | undefined, settings: CardSettings | undefined) {
  return {
    async syncApproverChannel(input: ApproverChannelInput): Promise<{ reports: ChannelProblem[] }> {
      if (!api || !settings) return { reports: [] };
      const projected = await findProjectedView(db, input.instanceId);
      if (!projected) return { reports: [] };
      // Narrowed once, for the helpers below.
      const [view, dingtalk, config] = [projected, api, settings];
      const [{ context, people }, cards, todos] = await Promise.all([
        loadCardContext(db, view, config.publicBaseUrl),
        listCards(db, view.instanceId),
        listTodos(db, view.instanceId),
      ]);
      const cardOf = new Map(cards.map((c) => [c.taskId, c]));
      const todoOf = new Map(todos.map((t) => [t.taskId, t]));
      const reports: ChannelProblem[] = [];
      const report = (r: ChannelProblem) => reports.push(r);

      for (const task of view.tasks) {
        const params = approvalCardParams(context, task);
        const card = cardOf.get(task.taskId);
        // A card still `creating` was cut short: delivered again while its task is pending (DingTalk
        // keeps one per outTrackId), else updated if DingTalk has it.
        if (task.status === 'pending' && (!card || card.state === 'creating')) await deliverCard(task, params, people.get(task.assigneeId));
        else if (card && (card.state === 'delivered' || card.state === 'closed' || card.state === 'creating')) await refreshCard(card, task, params);
        const todo = todoOf.get(task.taskId);
        // A todo without its id was cut short while being created: created again (DingTalk dedupes on sourceId) or, its task done, found and completed.
        if (task.status === 'pending' && (!todo || todo.todoId === null)) await createTodo(task, people.get(task.assigneeId));
        else if (todo && !todo.done && task.status !== 'pending' && task.status !== 'waiting') await completeTodo(task, todo.unionId, todo.todoId);
      }
      reports.push(...(await sendPendingNotices(db, api, context, people)));
      return { reports };

      async function deliverCard(task: CardTask, params: CardParamMap, person: DingTalkPerson | undefined): Promise<void> {
        const outTrackId = outTrackIdOf(view.instanceId, task.taskId);
        const row = { outTrackId, instanceId: view.instanceId, taskId: task.taskId, nodeId: task.nodeId, userId: task.assigneeId, params };
        if (!person?.dingtalkUserId) {
          await saveCard(db, { ...row, dingtalkUserId: '', state: 'failed', lastError: 'no DingTalk userId' });
          dingtalkCards.inc({ op: 'create', result: 'failed' });
          report({
            type: 'card_failed',
            taskId: task.taskId,
            userId: task.assigneeId,
            code: 'no_dingtalk_user',
            message: `${task.assigneeId} has no DingTalk account`,
          });
          return;
        }
        const userId = person.dingtalkUserId;
        await saveCard(db, { ...row, dingtalkUserId: userId, state: 'creating', lastError: null });
        try {
          const answer = await dingtalk.createAndDeliverCard({
            cardTemplateId: config.cardTemplateId,
            outTrackId,
            cardData: { cardParamMap: params },
            callbackType: config.callbackMode === 'stream' ? 'STREAM' : 'HTTP',
            ...(config.callbackMode === 'http' ? { callbackRouteKey: config.callbackRouteKey } : {}),
            userId,
            userIdType: 1,
            openSpaceId: `dtv1.card//IM_ROBOT.${userId}`,
            imRobotOpenSpaceModel: {
              supportForward: false,
              lastMessageI18n: { ZH_CN: `${params.title}，待你审批` },
              notification: { alertContent: `${params.title}，待你审批`, notificationOff: false },
            },
            imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', ...(config.robotCode ? { robotCode: config.robotCode } : {}) },
          });
          const failed = answer.deliverResults.find((r) => !r.success);
          if (failed) throw new DingTalkError('card.createAndDeliver', 'not_found', 'deliver.failed', failed.errorMsg ?? 'not delivered');
          await saveCard(db, { ...row, dingtalkUserId: userId, state: 'delivered', lastError: null });
          dingtalkCards.inc({ op: 'create', result: 'ok' });
        } catch (err) {
          dingtalkCards.inc({ op: 'create', result: channelFailureResult(err) === 'failed' ? 'fallback' : 'retry' });
          const failure = finalFailure(err);
          // Not deliverable as a card (a parameter, an unknown user): a work notification links the H5 page instead.
          await sendFallbackNotice(task, userId, failure);
          await saveCard(db, { ...row, dingtalkUserId: userId, state: 'fallback', lastError: failure.message });
        }
      }

      async function sendFallbackNotice(task: CardTask, userId: string, failure: DingTalkError): Promise<void> {
        const title = approvalTitle(context);
        try {
          await dingtalk.sendWorkNotification({
            userIds: [userId],
            msg: {
              msgtype: 'action_card',
              action_card: {
                title,
                markdown: `### ${title}\n\n待你审批（${task.nodeName ?? task.nodeId}）。`,
                single_title: '查看详情',
                single_url: taskPageUrl(config.publicBaseUrl, view.instanceId, task.taskId),
              },
            },
          });
          dingtalkNotifications.inc({ kind: 'card_fallback', result: 'ok' });
          report({ type: 'card_fallback', taskId: task.taskId, userId: task.assigneeId, code: failure.code, message: failure.message });
        } catch (err) {
          dingtalkNotifications.inc({ kind: 'card_fallback', result: channelFailureResult(err) });
          const second = finalFailure(err);
          report({
            type: 'card_failed',
            taskId: task.taskId,
            userId: task.assigneeId,
            code: failure.code,
            message: `${failure.message}; the work notification failed too: ${second.message}`,
          });
        }
      }

      async function refreshCard(card: CardRow, task: CardTask, params: CardParamMap): Promise<void> {
        if (sameParams(card.params, params)) return;
        // A click's answer may have shown it meanwhile (api/services/card-clicks.ts stores what it showed).
        const latest = await findCard(db, card.outTrackId);
        if (latest && sameParams(latest.params, params)) return;
        const state = task.status === 'pending' || task.status === 'waiting' ? 'delivered' : 'closed';
        try {
          await dingtalk.updateCard({ outTrackId: card.outTrackId, cardData: { cardParamMap: params }, cardUpdateOptions: { updateCardDataByKey: true } });
          await updateCardState(db, card.outTrackId, state, params);
          dingtalkCards.inc({ op: 'update', result: 'ok' });
        } catch (err) {
          if (channelFailureResult(err) === 'retry') dingtalkCards.inc({ op: 'update', result: 'retry' });
          const failure = finalFailure(err);
          // Its delivery was cut short and the task closed since: there is no card to update.
          if (card.state === 'creating' && failure.kind === 'not_found') return updateCardState(db, card.outTrackId, 'closed', params);
          dingtalkCards.inc({ op: 'update', result: 'failed' });
          // Kept as sent with the new params so the same failure is not reported at every change.
          await updateCardState(db, card.outTrackId, 'failed', params, failure.message);
          report({ type: 'card_failed', taskId: task.taskId, userId: task.assigneeId, code: failure.code, message: failure.message });
        }
      }

      async function createTodo(task: CardTask, person: DingTalkPerson | undefined): Promise<void> {
        const unionId = person?.dingtalkUnionId;
        if (!unionId) return; // no unionId (org sync stores them; the ERP push may): the card and notices still reach them
        const sourceId = outTrackIdOf(view.instanceId, task.taskId);
        const url = taskPageUrl(config.publicBaseUrl, view.instanceId, task.taskId);
        await saveTodo(db, { instanceId: view.instanceId, taskId: task.taskId, unionId, todoId: null });
        try {
          const created = await dingtalk
            .createTodo(unionId, {
              sourceId,
              subject: approvalTitle(context).slice(0, 1024),
              description: `${task.nodeName ?? task.nodeId} · ${view.businessKey}`,
              executorIds: [unionId],
              detailUrl: { appUrl: url, pcUrl: url },
              priority: 20,
            })
            .catch(async (err: unknown) => {
              // A retry after DingTalk created it but before we saved it: DingTalk dedupes on sourceId.
              const existing = err instanceof DingTalkError && err.kind === 'parameter' ? await dingtalk.findTodoBySource(unionId, sourceId) : undefined;
              if (existing) return existing;
              throw err;
            });
          await saveTodo(db, { instanceId: view.instanceId, taskId: task.taskId, unionId, todoId: created.id });
          dingtalkTodos.inc({ op: 'create', result: 'ok' });
        } catch (err) {
          dingtalkTodos.inc({ op: 'create', result: channelFailureResult(err) });
          const failure = finalFailure(err);
          report({ type: 'todo_failed', taskId: task.taskId, userId: task.assigneeId, code: failure.code, message: failure.message });
        }
      }

      async function completeTodo(task: CardTask, unionId: string, todoId: string | null): Promise<void> {
        try {
          const id = todoId ?? (await dingtalk.findTodoBySource(unionId, outTrackIdOf(view.instanceId, task.taskId)))?.id;
          if (id) {
            await dingtalk.completeTodo(unionId, id);
            dingtalkTodos.inc({ op: 'complete', result: 'ok' });
          }
        } catch (err) {
          dingtalkTodos.inc({ op: 'complete', result: channelFailureResult(err) });
          const failure = finalFailure(err);
          report({ type: 'todo_failed', taskId: task.taskId, userId: task.assigneeId, code: failure.code, message: failure.message });
        }
        await markTodoDone(db, view.instanceId, task.taskId);
      }
    },
  };
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}
