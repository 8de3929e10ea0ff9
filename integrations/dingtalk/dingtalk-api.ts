/**
 * The DingTalk OpenAPI as this product uses it (../shared/DINGTALK.md): request and answer shapes
 * of both hosts, and the one interface the client implements and the activities call. Field names
 * are DingTalk's own (camelCase on api.dingtalk.com, snake_case on oapi.dingtalk.com).
 */

/** Where DingTalk is and who we are to it (SPEC §8 settings). */
export interface DingTalkSettings {
  /** New-style host, e.g. `https://api.dingtalk.com` (DINGTALK_API_BASE). */
  apiBase: string;
  /** Old-style host, e.g. `https://oapi.dingtalk.com` (DINGTALK_OAPI_BASE). */
  oapiBase: string;
  appKey: string;
  appSecret: string;
  /** The internal app's agent id, for work notifications. */
  agentId: number;
  corpId: string;
  cardTemplateId: string;
  /** The app robot that delivers cards one-to-one; DingTalk defaults it to the app's own. */
  robotCode?: string;
}

export type CardParamMap = Record<string, string>;

export interface CardData {
  cardParamMap: CardParamMap;
}

export interface CreateAndDeliverCardRequest {
  cardTemplateId: string;
  /** Our unique id of the card: one per task. */
  outTrackId: string;
  cardData: CardData;
  privateData?: Record<string, CardData>;
  callbackType: 'HTTP' | 'STREAM';
  /** HTTP callbacks only: the route key registered with `registerCardCallback`. */
  callbackRouteKey?: string;
  userId?: string;
  /** 1: userId, 2: unionId. */
  userIdType?: 1 | 2;
  /** `dtv1.card//IM_ROBOT.<userId>`; several targets carry the prefix once: `dtv1.card//IM_ROBOT.u1;IM_ROBOT.u2`. */
  openSpaceId: string;
  imRobotOpenSpaceModel?: {
    supportForward: boolean;
    lastMessageI18n?: { ZH_CN: string };
    notification?: { alertContent: string; notificationOff: boolean };
  };
  imRobotOpenDeliverModel?: { spaceType: 'IM_ROBOT'; robotCode?: string };
}

export interface CardDeliverResult {
  spaceType: string;
  spaceId: string;
  success: boolean;
  carrierId?: string;
  errorMsg?: string;
}

export interface CreateAndDeliverCardResult {
  outTrackId: string;
  deliverResults: CardDeliverResult[];
}

export interface CardUpdateOptions {
  updateCardDataByKey?: boolean;
  updatePrivateDataByKey?: boolean;
}

export interface UpdateCardRequest {
  outTrackId: string;
  cardData?: CardData;
  privateData?: Record<string, CardData>;
  cardUpdateOptions?: CardUpdateOptions;
}

export interface RegisterCardCallbackRequest {
  callbackRouteKey: string;
  callbackUrl: string;
  apiSecret?: string;
  forceUpdate?: boolean;
}

/** What a card button click carries (both transports); `content` is a JSON string of {@link CardClickContent}. */
export interface CardClickCallback {
  type: 'actionCallback' | string;
  outTrackId: string;
  corpId?: string;
  userId: string;
  content?: string;
  userIdType?: number;
  spaceType?: string;
  spaceId?: string;
  value?: string;
  extension?: string;
}

export interface CardClickContent {
  cardPrivateData?: { actionIds?: string[]; params?: Record<string, unknown> };
}

/** The answer to a click, which updates the card (the HTTP response body; wrapped in `{response}` over Stream). */
export interface CardClickAnswer {
  cardData?: CardData;
  userPrivateData?: CardData;
  cardUpdateOptions?: CardUpdateOptions;
}

export interface TodoCreateRequest {
  /** Our taskId; DingTalk dedupes on it. */
  sourceId: string;
  /** ≤ 1024 characters. */
  subject: string;
  description?: string;
  executorIds: string[];
  participantIds?: string[];
  detailUrl: { appUrl: string; pcUrl: string };
  dueTime?: number;
  priority?: 10 | 20 | 30 | 40;
  notifyConfigs?: { dingNotify?: '1' };
}

export interface TodoItem {
  id: string;
  subject: string;
  sourceId?: string;
  done: boolean;
  createdTime?: number;
}

export type WorkNotificationMessage =
  | { msgtype: 'action_card'; action_card: { title: string; markdown: string; single_title: string; single_url: string } }
  | {
      msgtype: 'action_card';
      action_card: { title: string; markdown: string; btn_orientation: '0' | '1'; btn_json_list: Array<{ title: string; action_url: string }> };
    };

export interface SendWorkNotificationRequest {
  /** DingTalk userIds, ≤ 100. */
  userIds: string[];
  msg: WorkNotificationMessage;
}

export interface DingTalkDepartment {
  dept_id: number;
  name: string;
  parent_id?: number;
}

export interface DingTalkDepartmentDetail extends DingTalkDepartment {
  dept_manager_userid_list?: string[];
}

export interface DingTalkUserSummary {
  userid: string;
  unionid?: string;
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  dept_id_list?: number[];
  leader?: boolean;
  admin?: boolean;
  active?: boolean;
}

export interface DingTalkUserPage {
  has_more: boolean;
  next_cursor?: number;
  list: DingTalkUserSummary[];
}

export interface DingTalkUserDetail extends DingTalkUserSummary {
  manager_userid?: string;
  leader_in_dept?: Array<{ dept_id: number; leader: boolean }>;
  role_list?: Array<{ id: number; name: string; group_name?: string }>;
}

/** `topapi/v2/user/getuserinfo` (免登). */
export interface AuthCodeUser {
  userid: string;
  unionid?: string;
  name?: string;
  sys_level?: number;
  sys?: boolean;
  device_id?: string;
  associated_unionid?: string;
}

export interface StreamSubscription {
  type: 'CALLBACK' | 'EVENT';
  topic: string;
}

export interface StreamTicket {
  endpoint: string;
  ticket: string;
}

export const CARD_CALLBACK_TOPIC = '/v1.0/card/instances/callback';

/** Everything the product asks of DingTalk. */
export interface DingTalkApi {
  createAndDeliverCard(request: CreateAndDeliverCardRequest): Promise<CreateAndDeliverCardResult>;
  updateCard(request: UpdateCardRequest): Promise<void>;
  registerCardCallback(request: RegisterCardCallbackRequest): Promise<{ callbackUrl: string; apiSecret?: string }>;
  createTodo(unionId: string, request: TodoCreateRequest): Promise<TodoItem>;
  /** Marks the todo done for everyone (`PUT …/tasks/{id}` `{done: true}`). */
  completeTodo(unionId: string, todoId: string): Promise<void>;
  findTodoBySource(unionId: string, sourceId: string): Promise<TodoItem | undefined>;
  sendWorkNotification(request: SendWorkNotificationRequest): Promise<{ taskId: number }>;
  listSubDepartments(deptId: number): Promise<DingTalkDepartment[]>;
  getDepartment(deptId: number): Promise<DingTalkDepartmentDetail>;
  listDepartmentUsers(deptId: number, cursor: number, size: number): Promise<DingTalkUserPage>;
  getUser(userId: string): Promise<DingTalkUserDetail>;
  getUserInfoByAuthCode(code: string): Promise<AuthCodeUser>;
  openStreamConnection(subscriptions: StreamSubscription[]): Promise<StreamTicket>;
}

/**
 * Why a call failed, which decides what happens next: `token` is retried once by the client after
 * a refresh; `throttled`, `server` and `network` are retried (client backoff, then the activity's
 * retry policy); the rest are final and named in the instance's timeline.
 */
export type DingTalkFailureKind =
  'token' | 'throttled' | 'server' | 'network' | 'parameter' | 'permission' | 'quota' | 'not_found' | 'invalid_auth_code' | 'credentials';

const RETRYABLE: ReadonlySet<DingTalkFailureKind> = new Set(['token', 'throttled', 'server', 'network']);

export class DingTalkError extends Error {
  override readonly name = 'DingTalkError';
  constructor(
    /** Which API failed, e.g. `card.createAndDeliver`, `topapi/v2/user/get`. */
    readonly api: string,
    readonly kind: DingTalkFailureKind,
    /** DingTalk's own code: `param.userIdNotExist`, `90018`, `InvalidAuthentication`, or `http_502`. */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${api}: ${code} ${message}`);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}
