import { createHash } from 'node:crypto';
import { findCard, findUserByDingTalkId, updateCardState } from '../../db/dingtalk-channel';
import { findProjectedView } from '../../db/instance-reads';
import type { InstanceView } from '../../engine/instance-view';
import { approvalCardParams, refusedClickParams, type CardContext } from '../../integrations/dingtalk/approval-card';
import { loadCardContext } from '../../integrations/dingtalk/card-context';
import type { CardClickAnswer, CardClickCallback, CardClickContent, CardParamMap } from '../../integrations/dingtalk/dingtalk-api';
import { withLogFields } from '../../observability/log-context';
import { errorFields, logger } from '../../observability/logger';
import { countedAction } from '../action-metrics';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import { actOnInstance } from './instance-actions';

/** DingTalk waits 2 s for the answer; what is not decided by then shows as 处理中 and the card is updated afterwards. */
const ANSWER_WITHIN_MS = 1_500;

const REFUSAL_TEXT: Partial<Record<string, string>> = {
  TASK_NOT_PENDING: '该审批已处理，无需重复操作',
  TASK_NOT_FOUND: '该审批已不存在',
  NOT_ASSIGNEE: '这不是你的审批，无法操作',
  INSTANCE_NOT_RUNNING: '该审批已结束',
  INSTANCE_NOT_FOUND: '该审批已不存在',
};

export type CardAction = 'approve' | 'reject';

/** Which button was pressed: `params.action`, else the first action id. */
export function clickedAction(click: CardClickCallback): CardAction | undefined {
  let content: CardClickContent;
  try {
    content = JSON.parse(click.content ?? click.value ?? '{}') as CardClickContent;
  } catch {
    return undefined;
  }
  const action = content.cardPrivateData?.params?.action ?? content.cardPrivateData?.actionIds?.[0];
  return action === 'approve' || action === 'reject' ? action : undefined;
}

/** The same button of the same card pressed by the same person is one action, however often DingTalk delivers it. */
export function clickActionId(outTrackId: string, dingtalkUserId: string, action: CardAction): string {
  return `dingtalk:${createHash('sha256').update(`${outTrackId}\n${dingtalkUserId}\n${action}`).digest('hex').slice(0, 40)}`;
}

/**
 * One card button click, from the HTTP callback or a Stream frame: the clicker's DingTalk userId
 * is mapped to our user, who must be the card's assignee; the action goes to the workflow like any
 * other, with an id derived from the click. The answer is the card as it should now look (DingTalk
 * applies it); a click that changes nothing says why on the clicker's card.
 */
export async function answerCardClick(deps: ApiDependencies, publicBaseUrl: string, click: CardClickCallback): Promise<CardClickAnswer> {
  const card = await findCard(deps.db, click.outTrackId);
  if (!card) return { userPrivateData: { cardParamMap: { notice: '该卡片已失效' } }, cardUpdateOptions: { updatePrivateDataByKey: true } };
  withLogFields({ instanceId: card.instanceId, taskId: card.taskId });
  const action = clickedAction(click);
  const refused = (why: string): CardClickAnswer => ({
    userPrivateData: { cardParamMap: refusedClickParams(card.params, why) },
    cardUpdateOptions: { updatePrivateDataByKey: true },
  });
  if (!action) return refused('不支持的操作');
  const clicker = click.userIdType === 2 ? undefined : await findUserByDingTalkId(deps.db, click.userId);
  if (!clicker || clicker.id !== card.userId) return refused(REFUSAL_TEXT.NOT_ASSIGNEE!);
  const actionId = clickActionId(card.outTrackId, click.userId, action);
  withLogFields({ actionId, userId: clicker.id });

  // What the card needs besides the instance is read while the action runs, so its new look is
  // stored the moment the action answers (the reconciliation after the action then has nothing to send).
  const [answered, loaded] = await Promise.all([
    withinDeadline(
      countedAction(
        card.instanceId,
        action,
        actOnInstance(deps, card.instanceId, {
          type: action,
          actionId,
          actorId: clicker.id,
          taskId: card.taskId,
        }),
      ),
    ),
    findProjectedView(deps.db, card.instanceId).then((before) => (before ? loadCardContext(deps.db, before, publicBaseUrl) : undefined)),
  ]);
  if (answered.refused) {
    // Refused: nothing changed, so the instance as it was is as it is.
    const params = loaded ? paramsOf(loaded.context, card.taskId) : undefined;
    return { ...refused(REFUSAL_TEXT[answered.refused.code] ?? answered.refused.message), ...(params ? { cardData: { cardParamMap: params } } : {}) };
  }
  if (!answered.view)
    return { cardData: { cardParamMap: { ...card.params, actionable: 'false', statusText: '处理中' } }, cardUpdateOptions: { updateCardDataByKey: true } };
  const context = loaded?.context ?? (await loadCardContext(deps.db, answered.view, publicBaseUrl)).context;
  const params = paramsOf({ ...context, view: answered.view }, card.taskId);
  if (!params) return {};
  await updateCardState(deps.db, card.outTrackId, 'closed', params);
  return { cardData: { cardParamMap: params }, cardUpdateOptions: { updateCardDataByKey: true } };
}

function paramsOf(context: CardContext, taskId: string): CardParamMap | undefined {
  const task = context.view.tasks.find((t) => t.taskId === taskId);
  return task ? approvalCardParams(context, task) : undefined;
}

/** The action's outcome: the instance after it, a refusal, or neither if it takes longer than DingTalk waits (it still completes). */
async function withinDeadline(work: Promise<InstanceView>): Promise<{ view?: InstanceView; refused?: ApiError }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ view?: InstanceView }>((resolve) => {
    timer = setTimeout(() => resolve({}), ANSWER_WITHIN_MS);
  });
  const outcome = work.then(
    (view) => ({ view }),
    (err: unknown) => {
      if (err instanceof ApiError) return { refused: err };
      throw err;
    },
  );
  // Past the deadline nobody awaits it: a failure then is logged, not an unhandled rejection.
  outcome.catch((err: unknown) => logger.error(errorFields(err), 'a card click’s action failed'));
  try {
    return await Promise.race([outcome, late]);
  } finally {
    clearTimeout(timer);
  }
}
