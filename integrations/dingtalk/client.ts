import { createAccessTokenCache, type AccessToken } from './access-token-cache';
import {
  DingTalkError,
  type AuthCodeUser,
  type CreateAndDeliverCardResult,
  type DingTalkApi,
  type DingTalkDepartment,
  type DingTalkDepartmentDetail,
  type DingTalkSettings,
  type DingTalkUserDetail,
  type DingTalkUserPage,
  type TodoItem,
} from './dingtalk-api';
import { createDingTalkRequester, DEFAULT_DINGTALK_TIMEOUT_MS, type DingTalkRequest } from './dingtalk-request';
import { createRateLimiter, DEFAULT_RATE_LIMIT_PER_SECOND } from './rate-limiter';

/**
 * The production DingTalk client (DINGTALK.md) on `fetch`: every method is one call of the
 * contract, through the shared token, rate limit and retry rules of `dingtalk-request.ts`.
 * Answers are trusted in shape; only what the product branches on is checked.
 */

export interface DingTalkClientOptions {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Calls per second and API name (DingTalk allows 20 per app and API). */
  rateLimitPerSecond?: number;
  /** One line per attempt: `{api, status, ms, attempt, errorCode}`, never a secret. */
  log?: (line: Record<string, unknown>) => void;
  timeoutMs?: number;
}

export type DingTalkClient = DingTalkApi & {
  /** Forgets the cached access token: the next call fetches a new one. */
  invalidateToken(): void;
};

export const MAX_NOTIFICATION_RECIPIENTS = 100;
export const MAX_NOTIFICATION_MSG_BYTES = 2048;
export const STREAM_CLIENT_UA = 'approval-orchestrator';

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function unexpected(api: string, what: string): DingTalkError {
  return new DingTalkError(api, 'server', 'unexpected_answer', what);
}

/** An oapi answer's `result`, which every successful topapi call carries. */
function resultOf(api: string, body: unknown): unknown {
  const result = recordOf(body)?.result;
  if (result === undefined || result === null) throw unexpected(api, 'the answer has no result');
  return result;
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createDingTalkClient(settings: DingTalkSettings, options: DingTalkClientOptions = {}): DingTalkClient {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const log = options.log;
  const requester = createDingTalkRequester({
    settings,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now,
    sleep,
    random: options.random ?? Math.random,
    limiter: createRateLimiter({ perSecond: options.rateLimitPerSecond ?? DEFAULT_RATE_LIMIT_PER_SECOND, now, sleep }),
    timeoutMs: options.timeoutMs ?? DEFAULT_DINGTALK_TIMEOUT_MS,
    log: (line) => log?.({ ...line }),
  });

  async function fetchAccessToken(): Promise<AccessToken> {
    const api = 'oauth2.accessToken';
    const body = recordOf(
      await requester.call({
        api,
        host: 'api',
        method: 'POST',
        path: '/v1.0/oauth2/accessToken',
        body: { appKey: settings.appKey, appSecret: settings.appSecret },
      }),
    );
    if (typeof body?.accessToken !== 'string' || typeof body.expireIn !== 'number') throw unexpected(api, 'the answer has no accessToken and expireIn');
    return { accessToken: body.accessToken, expireIn: body.expireIn };
  }

  const tokens = createAccessTokenCache(fetchAccessToken, now);
  const call = (request: DingTalkRequest): Promise<unknown> => requester.call(request, tokens);
  const oapi = (path: string, body: unknown): Promise<unknown> => call({ api: path.slice(1), host: 'oapi', method: 'POST', path, body });
  const todoPath = (unionId: string, rest: string): string => `/v1.0/todo/users/${segment(unionId)}/tasks${rest}`;

  return {
    invalidateToken: () => tokens.invalidate(),

    async createAndDeliverCard(request) {
      const api = 'card.createAndDeliver';
      try {
        const body = await call({ api, host: 'api', method: 'POST', path: '/v1.0/card/instances/createAndDeliver', body: request });
        const result = recordOf(recordOf(body)?.result);
        return {
          outTrackId: typeof result?.outTrackId === 'string' ? result.outTrackId : request.outTrackId,
          deliverResults: Array.isArray(result?.deliverResults) ? (result.deliverResults as CreateAndDeliverCardResult['deliverResults']) : [],
        };
      } catch (err) {
        // A retried activity after DingTalk created the card (DINGTALK.md: a duplicate may instead be accepted silently).
        if (err instanceof DingTalkError && err.code === 'param.cardAlreadyExist') return { outTrackId: request.outTrackId, deliverResults: [] };
        throw err;
      }
    },

    async updateCard(request) {
      await call({ api: 'card.update', host: 'api', method: 'PUT', path: '/v1.0/card/instances', body: request });
    },

    async registerCardCallback(request) {
      const body = await call({ api: 'card.registerCallback', host: 'api', method: 'POST', path: '/v1.0/card/callbacks/register', body: request });
      const result = recordOf(recordOf(body)?.result);
      const apiSecret = typeof result?.apiSecret === 'string' ? result.apiSecret : request.apiSecret;
      return {
        callbackUrl: typeof result?.callbackUrl === 'string' ? result.callbackUrl : request.callbackUrl,
        ...(apiSecret !== undefined ? { apiSecret } : {}),
      };
    },

    async createTodo(unionId, request) {
      const api = 'todo.create';
      const body = recordOf(await call({ api, host: 'api', method: 'POST', path: todoPath(unionId, `?operatorId=${segment(unionId)}`), body: request }));
      if (typeof body?.id !== 'string') throw unexpected(api, 'the answer has no id');
      return body as unknown as TodoItem;
    },

    async completeTodo(unionId, todoId) {
      await call({
        api: 'todo.complete',
        host: 'api',
        method: 'PUT',
        path: todoPath(unionId, `/${segment(todoId)}?operatorId=${segment(unionId)}`),
        body: { done: true },
      });
    },

    async findTodoBySource(unionId, sourceId) {
      try {
        const body = recordOf(await call({ api: 'todo.findBySource', host: 'api', method: 'GET', path: todoPath(unionId, `/sources/${segment(sourceId)}`) }));
        return typeof body?.id === 'string' ? (body as unknown as TodoItem) : undefined;
      } catch (err) {
        if (err instanceof DingTalkError && err.kind === 'not_found') return undefined;
        throw err;
      }
    },

    async sendWorkNotification(request) {
      const path = '/topapi/message/corpconversation/asyncsend_v2';
      const api = path.slice(1);
      const { userIds, msg } = request;
      if (userIds.length === 0) throw new DingTalkError(api, 'parameter', 'client.noRecipients', 'a work notification needs at least one recipient');
      if (userIds.length > MAX_NOTIFICATION_RECIPIENTS) {
        throw new DingTalkError(api, 'parameter', 'client.tooManyRecipients', `${userIds.length} recipients, at most ${MAX_NOTIFICATION_RECIPIENTS} per call`);
      }
      const bytes = Buffer.byteLength(JSON.stringify(msg), 'utf8');
      if (bytes > MAX_NOTIFICATION_MSG_BYTES) {
        throw new DingTalkError(api, 'parameter', 'client.messageTooLong', `msg is ${bytes} bytes, at most ${MAX_NOTIFICATION_MSG_BYTES}`);
      }
      const body = recordOf(await oapi(path, { agent_id: settings.agentId, userid_list: userIds.join(','), msg }));
      if (typeof body?.task_id !== 'number') throw unexpected(api, 'the answer has no task_id');
      return { taskId: body.task_id };
    },

    async listSubDepartments(deptId) {
      const path = '/topapi/v2/department/listsub';
      const result = resultOf(path.slice(1), await oapi(path, { dept_id: deptId }));
      if (!Array.isArray(result)) throw unexpected(path.slice(1), 'the result is not a list');
      return result as DingTalkDepartment[];
    },

    async getDepartment(deptId) {
      const path = '/topapi/v2/department/get';
      return resultOf(path.slice(1), await oapi(path, { dept_id: deptId })) as DingTalkDepartmentDetail;
    },

    async listDepartmentUsers(deptId, cursor, size) {
      const path = '/topapi/v2/user/list';
      return resultOf(path.slice(1), await oapi(path, { dept_id: deptId, cursor, size })) as DingTalkUserPage;
    },

    async getUser(userId) {
      const path = '/topapi/v2/user/get';
      return resultOf(path.slice(1), await oapi(path, { userid: userId })) as DingTalkUserDetail;
    },

    async getUserInfoByAuthCode(code) {
      const path = '/topapi/v2/user/getuserinfo';
      return resultOf(path.slice(1), await oapi(path, { code })) as AuthCodeUser;
    },

    async openStreamConnection(subscriptions) {
      const api = 'gateway.connections.open';
      const body = recordOf(
        await requester.call({
          api,
          host: 'api',
          method: 'POST',
          path: '/v1.0/gateway/connections/open',
          body: { clientId: settings.appKey, clientSecret: settings.appSecret, subscriptions, ua: STREAM_CLIENT_UA },
        }),
      );
      if (typeof body?.endpoint !== 'string' || typeof body.ticket !== 'string') throw unexpected(api, 'the answer has no endpoint and ticket');
      return { endpoint: body.endpoint, ticket: body.ticket };
    },
  };
}
