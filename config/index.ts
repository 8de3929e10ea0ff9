import path from 'node:path';
import type { RetrySettings } from '../engine/state';
import type { DingTalkSettings } from '../integrations/dingtalk/dingtalk-api';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../temporal-config';
import { durabilityFromEnv, type Durability } from '../runtime/durability';

/** Everything the processes read from the environment, with the embedded defaults of SPEC §3. */
export interface AppConfig {
  port: number;
  dataDir: string;
  /** Project-local folder for fetched tools (the Temporal CLI). */
  toolsDir: string;
  /** Set: use this PostgreSQL; unset: start the embedded one. */
  databaseUrl?: string;
  embeddedPostgresPort: number;
  /** How the embedded PostgreSQL and Temporal treat the disk (EMBEDDED_DURABILITY; default durable). */
  embeddedDurability: Durability;
  /** Set: use this Temporal frontend; unset: start the dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalDevPort: number;
  temporalUiPort: number;
  taskQueue: string;
  /** Base64 (or hex) of 32 bytes; encrypts app secrets at rest. Embedded mode generates one under DATA_DIR. */
  appSecretsKey?: string;
  /** The key before `appSecretsKey` while it is rotated (APP_SECRETS_KEY_PREVIOUS): opens secrets not yet sealed again. */
  previousAppSecretsKey?: string;
  demoErpSecret: string;
  /** The ERP sandbox `npm start` runs (and registers as the demo ERP system `demo_erp`). */
  erpSandboxPort: number;
  /** What the approval center signs its calls to the demo ERP system with. */
  demoErpSystemSecret: string;
  publicBaseUrl: string;
  /** Instances continue-as-new past this many history events (unset: the workflow's default). */
  historyLimit?: number;
  /** Retry limits of ERP calls and webhooks for new instances (unset: the workflow's defaults; tests shorten them). */
  retries?: RetrySettings;
  /** Set: the real DingTalk (or any DingTalk at these base URLs); unset: `npm start` runs the DingTalk sandbox. */
  dingtalk?: DingTalkConfig;
  /** The DingTalk sandbox `npm start` runs when no DingTalk is configured. */
  dingtalkSandboxPort: number;
  /** `POST /auth/dev-login` and the H5 page's user list: anyone may log in as anyone. Only for the sandbox. */
  devLogin: boolean;
  /** Requests per app key and per session user, counted by each API process in its memory (API_RATE_LIMIT_*); unset: no limit. */
  rateLimits: RateLimitSettings;
  /** The standalone worker's `GET /metrics` (Prometheus; 9464, the exporters' customary port). The API serves its own on `port`. */
  workerMetricsPort: number;
}

/** A token bucket: `perSecond` requests a second on average, `burst` at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Unset: that kind of caller is not limited. */
export interface RateLimitSettings {
  perApp?: RateLimit;
  perUser?: RateLimit;
}

/**
 * The defaults, per API process: far above what one ERP integration or one person's H5 app needs
 * (the API serves some 10 flows a second on 2 cores), low enough that a client stuck in a loop is
 * slowed down before it takes the API from everyone else. The burst is twice the rate unless set.
 */
export const DEFAULT_RATE_LIMITS = { perAppPerSecond: 100, perUserPerSecond: 20 } as const;

export type DingTalkCallbackMode = 'http' | 'stream';

/** SPEC §8 DingTalk settings. */
export interface DingTalkConfig extends DingTalkSettings {
  callbackMode: DingTalkCallbackMode;
  /** The card callback `apiSecret` (HTTP mode): clicks are verified with it. */
  callbackSecret: string;
  /** The route key the card callback URL is registered under. */
  callbackRouteKey: string;
  /** When the org sync Schedule runs (cron, Temporal's syntax). */
  orgSyncCron: string;
}

/** The org sync runs at 02:00 China time (Schedules read cron in UTC unless it starts with `CRON_TZ=`). */
export const DEFAULT_ORG_SYNC_CRON = 'CRON_TZ=Asia/Shanghai 0 2 * * *';

/** The demo app's secret unless DEMO_ERP_SECRET sets one: public, printed by `npm start` for the demo. */
export const DEFAULT_DEMO_ERP_SECRET = 'demo-erp-secret';

const DINGTALK_REQUIRED = ['DINGTALK_APP_KEY', 'DINGTALK_APP_SECRET', 'DINGTALK_AGENT_ID', 'DINGTALK_CORP_ID', 'DINGTALK_CARD_TEMPLATE_ID'] as const;

/** DingTalk is configured when its app key is; then every required setting must be there. */
export function dingTalkConfigFromEnv(env: NodeJS.ProcessEnv): DingTalkConfig | undefined {
  if (!env.DINGTALK_APP_KEY) return undefined;
  const missing = DINGTALK_REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`DingTalk is configured (DINGTALK_APP_KEY) but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  const agentId = Number(env.DINGTALK_AGENT_ID);
  if (!Number.isInteger(agentId) || agentId <= 0) throw new Error(`DINGTALK_AGENT_ID must be a positive integer, got "${env.DINGTALK_AGENT_ID}"`);
  const callbackMode = env.DINGTALK_CALLBACK_MODE || 'http';
  if (callbackMode !== 'http' && callbackMode !== 'stream') throw new Error(`DINGTALK_CALLBACK_MODE must be http or stream, got "${callbackMode}"`);
  if (callbackMode === 'http' && !env.DINGTALK_CALLBACK_SECRET)
    throw new Error('DINGTALK_CALLBACK_MODE=http needs DINGTALK_CALLBACK_SECRET (the card callback apiSecret)');
  return {
    apiBase: (env.DINGTALK_API_BASE || 'https://api.dingtalk.com').replace(/\/+$/, ''),
    oapiBase: (env.DINGTALK_OAPI_BASE || 'https://oapi.dingtalk.com').replace(/\/+$/, ''),
    appKey: env.DINGTALK_APP_KEY,
    appSecret: env.DINGTALK_APP_SECRET!,
    agentId,
    corpId: env.DINGTALK_CORP_ID!,
    cardTemplateId: env.DINGTALK_CARD_TEMPLATE_ID!,
    ...(env.DINGTALK_ROBOT_CODE ? { robotCode: env.DINGTALK_ROBOT_CODE } : {}),
    callbackMode,
    callbackSecret: env.DINGTALK_CALLBACK_SECRET ?? '',
    callbackRouteKey: env.DINGTALK_CALLBACK_ROUTE_KEY || 'approval-orchestrator',
    orgSyncCron: env.DINGTALK_ORG_SYNC_CRON || DEFAULT_ORG_SYNC_CRON,
  };
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return value;
}

/** DEV_LOGIN=1 or 0 when given; otherwise on in embedded mode (no external PostgreSQL or Temporal) and off elsewhere. */
function devLoginFromEnv(env: NodeJS.ProcessEnv): boolean {
  const raw = env.DEV_LOGIN;
  if (raw === undefined || raw === '') return !env.DATABASE_URL && !env.TEMPORAL_ADDRESS;
  if (raw !== '1' && raw !== '0') throw new Error(`DEV_LOGIN must be 1 or 0, got "${raw}"`);
  return raw === '1';
}

function rateFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): RateLimit | undefined {
  const number = (variable: string, value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1_000_000) throw new Error(`${variable} must be a number from 0 to 1000000, got "${value}"`);
    return parsed;
  };
  const raw = env[name];
  const perSecond = raw === undefined || raw === '' ? fallback : number(name, raw);
  if (perSecond === 0) return undefined;
  const rawBurst = env[`${name}_BURST`];
  const burst = rawBurst === undefined || rawBurst === '' ? Math.max(1, Math.ceil(perSecond * 2)) : number(`${name}_BURST`, rawBurst);
  if (burst < 1) throw new Error(`${name}_BURST must be at least 1, got "${rawBurst}"`);
  return { perSecond, burst };
}

/** API_RATE_LIMIT_PER_APP / _PER_USER (requests a second; 0: off) and their _BURST. */
export function rateLimitsFromEnv(env: NodeJS.ProcessEnv): RateLimitSettings {
  const perApp = rateFromEnv(env, 'API_RATE_LIMIT_PER_APP', DEFAULT_RATE_LIMITS.perAppPerSecond);
  const perUser = rateFromEnv(env, 'API_RATE_LIMIT_PER_USER', DEFAULT_RATE_LIMITS.perUserPerSecond);
  return { ...(perApp ? { perApp } : {}), ...(perUser ? { perUser } : {}) };
}

function historyLimitFromEnv(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100 || value > 50_000) throw new Error(`APPROVAL_HISTORY_LIMIT must be an integer from 100 to 50000, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = intFromEnv(env, 'PORT', 3000);
  const dingTalk = dingTalkConfigFromEnv(env);
  return {
    port,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    toolsDir: path.resolve(env.TOOLS_DIR || '.tools'),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPostgresPort: intFromEnv(env, 'EMBEDDED_PG_PORT', 54329),
    embeddedDurability: durabilityFromEnv(env.EMBEDDED_DURABILITY),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE,
    temporalDevPort: intFromEnv(env, 'TEMPORAL_DEV_PORT', 7233),
    temporalUiPort: intFromEnv(env, 'TEMPORAL_UI_PORT', 8233),
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE,
    appSecretsKey: env.APP_SECRETS_KEY || undefined,
    previousAppSecretsKey: env.APP_SECRETS_KEY_PREVIOUS || undefined,
    demoErpSecret: env.DEMO_ERP_SECRET || DEFAULT_DEMO_ERP_SECRET,
    erpSandboxPort: intFromEnv(env, 'ERP_SANDBOX_PORT', 4100),
    demoErpSystemSecret: env.DEMO_ERP_SYSTEM_SECRET || 'demo-erp-system-secret',
    publicBaseUrl: env.PUBLIC_BASE_URL || `http://localhost:${port}`,
    ...(env.APPROVAL_HISTORY_LIMIT ? { historyLimit: historyLimitFromEnv(env.APPROVAL_HISTORY_LIMIT) } : {}),
    ...(dingTalk ? { dingtalk: dingTalk } : {}),
    dingtalkSandboxPort: intFromEnv(env, 'DINGTALK_SANDBOX_PORT', 4200),
    devLogin: devLoginFromEnv(env),
    rateLimits: rateLimitsFromEnv(env),
    workerMetricsPort: intFromEnv(env, 'WORKER_METRICS_PORT', 9464),
  };
}
