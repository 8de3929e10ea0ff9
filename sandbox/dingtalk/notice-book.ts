/** Why a notice was accepted but never arrived. */
export type NoticeDropReason = 'same_content_today' | 'daily_limit' | 'unknown_user';

export interface FakeNotice {
  taskId: number;
  agentId: number;
  userid: string;
  /** The `msg` as sent. */
  msg: unknown;
  sentAt: number;
  arrived: boolean;
  dropReason?: NoticeDropReason;
}

export interface SendResult {
  invalid_user_id_list: string[];
  forbidden_user_id_list: string[];
  failed_user_id_list: string[];
  read_user_id_list: string[];
  unread_user_id_list: string[];
  invalid_dept_id_list: number[];
  forbidden_list: Array<{ code: string; count: number; userid: string }>;
}

/** Per internal app, per user, per day. */
const DAILY_LIMIT_PER_USER = 500;
const CHINA_OFFSET_MS = 8 * 3600_000;

/**
 * The forbidden_list codes the fake uses (DingTalk's own, not in DINGTALK.md): 143105 the
 * daily per-user limit, 143106 the same content again.
 */
const FORBIDDEN_CODES: Record<Exclude<NoticeDropReason, 'unknown_user'>, string> = { daily_limit: '143105', same_content_today: '143106' };

/** A DingTalk day: midnight to midnight in China. */
function dayOf(at: number): number {
  return Math.floor((at + CHINA_OFFSET_MS) / 86_400_000);
}

/**
 * Work notifications: accepted at once, then each recipient gets it — unless the user is unknown,
 * was sent the very same content today by this app, or is over the daily limit. Such a
 * notice is recorded (dropped) and the send still answers success, as DingTalk's does.
 */
export class NoticeBook {
  private readonly notices: FakeNotice[] = [];
  private readonly tasks = new Map<number, { agentId: number; notices: FakeNotice[] }>();
  private nextTaskId = 100_000_001;

  send(agentId: number, recipients: Array<{ userid: string; known: boolean }>, msg: unknown, at: number): number {
    const taskId = this.nextTaskId++;
    const content = JSON.stringify(msg);
    const sent: FakeNotice[] = [];
    for (const { userid, known } of recipients) {
      const today = this.notices.filter((n) => n.agentId === agentId && n.userid === userid && dayOf(n.sentAt) === dayOf(at));
      const dropReason: NoticeDropReason | undefined = !known
        ? 'unknown_user'
        : today.some((n) => n.arrived && JSON.stringify(n.msg) === content)
          ? 'same_content_today'
          : today.filter((n) => n.arrived).length >= DAILY_LIMIT_PER_USER
            ? 'daily_limit'
            : undefined;
      const notice: FakeNotice = {
        taskId,
        agentId,
        userid,
        msg: structuredClone(msg),
        sentAt: at,
        arrived: dropReason === undefined,
        ...(dropReason ? { dropReason } : {}),
      };
      this.notices.push(notice);
      sent.push(notice);
    }
    this.tasks.set(taskId, { agentId, notices: sent });
    return taskId;
  }

  /** `getsendresult`: undefined for a task this agent did not send. */
  resultOf(agentId: number, taskId: number): SendResult | undefined {
    const task = this.tasks.get(taskId);
    if (!task || task.agentId !== agentId) return undefined;
    const result: SendResult = {
      invalid_user_id_list: [],
      forbidden_user_id_list: [],
      failed_user_id_list: [],
      read_user_id_list: [],
      unread_user_id_list: [],
      invalid_dept_id_list: [],
      forbidden_list: [],
    };
    for (const notice of task.notices) {
      if (notice.arrived) result.unread_user_id_list.push(notice.userid);
      else if (notice.dropReason === 'unknown_user') result.invalid_user_id_list.push(notice.userid);
      else if (notice.dropReason) {
        result.forbidden_user_id_list.push(notice.userid);
        result.forbidden_list.push({ code: FORBIDDEN_CODES[notice.dropReason], count: 1, userid: notice.userid });
      }
    }
    return result;
  }

  of(userid: string): FakeNotice[] {
    return structuredClone(this.notices.filter((n) => n.userid === userid));
  }

  all(): FakeNotice[] {
    return structuredClone(this.notices);
  }
}
