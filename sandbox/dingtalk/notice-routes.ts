import type { Hono } from 'hono';
import { z } from 'zod';
import { oapiError, oapiOk, type FakeAnswer } from './answers';
import type { CallPipeline } from './call-pipeline';
import type { FakeDingTalkApp, FakeDingTalkState } from './fake-dingtalk-state';
import { asInteger, describeIssues, isBlank, isRecord } from './request-fields';

const MAX_RECIPIENTS = 100;
const MAX_MSG_BYTES = 2048;

const nonEmpty = z.string().min(1);
const actionCard = z.union([
  z.looseObject({ title: nonEmpty, markdown: nonEmpty, single_title: nonEmpty, single_url: nonEmpty }),
  z.looseObject({
    title: nonEmpty,
    markdown: nonEmpty,
    btn_orientation: z.enum(['0', '1']),
    btn_json_list: z.array(z.looseObject({ title: nonEmpty, action_url: nonEmpty })).min(1),
  }),
]);
const MESSAGE_BODIES = {
  action_card: z.looseObject({ action_card: actionCard }),
  text: z.looseObject({ text: z.looseObject({ content: nonEmpty }) }),
  markdown: z.looseObject({ markdown: z.looseObject({ title: nonEmpty, text: nonEmpty }) }),
  link: z.looseObject({ link: z.looseObject({ messageUrl: nonEmpty, picUrl: nonEmpty, title: nonEmpty, text: nonEmpty }) }),
} as const;

function isMessageType(type: unknown): type is keyof typeof MESSAGE_BODIES {
  return typeof type === 'string' && Object.hasOwn(MESSAGE_BODIES, type);
}

/** `agent_id` present and the token's app's own; else the error answer. */
function checkAgent(body: Record<string, unknown>, app: FakeDingTalkApp): FakeAnswer | undefined {
  if (isBlank(body.agent_id)) return oapiError(40035, '缺少参数 agent_id');
  if (asInteger(body.agent_id) !== app.agentId) return oapiError(40056, '不合法的agentid');
  return undefined;
}

/** The message as sent: an object, or (as oapi also takes it) a JSON string of one. */
function messageOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** 工作通知: accepted at once; who it reached (or not) is told by getsendresult and the notice book. */
export function registerNoticeRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  app.post(
    '/topapi/message/corpconversation/asyncsend_v2',
    pipeline.authed({ api: 'message.asyncsend_v2', host: 'oapi' }, ({ app: caller, body }) => {
      if (!isRecord(body)) return oapiError(40035, '缺少参数 agent_id');
      const agentError = checkAgent(body, caller);
      if (agentError) return agentError;
      if (isBlank(body.userid_list)) {
        return body.dept_id_list !== undefined || body.to_all_user !== undefined
          ? oapiError(400002, '参数错误: the fake sends to userid_list only')
          : oapiError(40035, '缺少参数 userid_list');
      }
      if (typeof body.userid_list !== 'string') return oapiError(400002, '参数错误: userid_list is a comma-separated string');
      const userids = [...new Set(body.userid_list.split(',').map((u) => u.trim()))].filter((u) => u !== '');
      if (userids.length === 0 || userids.length > MAX_RECIPIENTS) return oapiError(40032, '不合法的UserID列表长度');
      if (isBlank(body.msg)) return oapiError(40035, '缺少参数 msg');
      const msg = messageOf(body.msg);
      if (!isRecord(msg)) return oapiError(34014, '会话消息的json结构无效或不完整');
      if (!isMessageType(msg.msgtype)) return oapiError(34004, '无效的会话消息的类型');
      const shape = MESSAGE_BODIES[msg.msgtype].safeParse(msg);
      if (!shape.success) return oapiError(34014, `会话消息的json结构无效或不完整: ${describeIssues(shape.error)}`);
      if (Buffer.byteLength(JSON.stringify(msg), 'utf8') > MAX_MSG_BYTES) return oapiError(34016, `消息内容长度超过限制 (msg > ${MAX_MSG_BYTES} bytes)`);
      const recipients = userids.map((userid) => ({ userid, known: state.directory.userById(userid) !== undefined }));
      const taskId = state.noticeBook.send(caller.agentId, recipients, msg, state.now());
      return oapiOk({ task_id: taskId });
    }),
  );

  app.post(
    '/topapi/message/corpconversation/getsendresult',
    pipeline.authed({ api: 'message.getsendresult', host: 'oapi' }, ({ app: caller, body }) => {
      if (!isRecord(body)) return oapiError(40035, '缺少参数 agent_id');
      const agentError = checkAgent(body, caller);
      if (agentError) return agentError;
      if (isBlank(body.task_id)) return oapiError(40035, '缺少参数 task_id');
      const taskId = asInteger(body.task_id);
      const result = taskId === undefined ? undefined : state.noticeBook.resultOf(caller.agentId, taskId);
      if (!result) return oapiError(400002, `参数错误: no task ${String(body.task_id)} of this agent`);
      return oapiOk({ send_result: result });
    }),
  );
}
