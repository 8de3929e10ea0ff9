import path from 'node:path';
import type { RetrySettings } from '../engine/state';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../temporal-config';

/** Everything the processes read from the environment, with the embedded defaults of SPEC §3. */
export interface AppConfig {
  port: number;
  dataDir: string;
  /** Project-local folder for fetched tools (the Temporal CLI). */
  toolsDir: string;
  /** Set: use this PostgreSQL; unset: start the embedded one. */
  databaseUrl?: string;
  embeddedPostgresPort: number;
  /** Set: use this Temporal frontend; unset: start the dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalDevPort: number;
  temporalUiPort: number;
  taskQueue: string;
  /** Base64 (or hex) of 32 bytes; encrypts app secrets at rest. Embedded mode generates one under DATA_DIR. */
  appSecretsKey?: string;
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
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return value;
}

function historyLimitFromEnv(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100 || value > 50_000) throw new Error(`APPROVAL_HISTORY_LIMIT must be an integer from 100 to 50000, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = intFromEnv(env, 'PORT', 3000);
  return {
    port,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    toolsDir: path.resolve(env.TOOLS_DIR || '.tools'),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPostgresPort: intFromEnv(env, 'EMBEDDED_PG_PORT', 54329),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE,
    temporalDevPort: intFromEnv(env, 'TEMPORAL_DEV_PORT', 7233),
    temporalUiPort: intFromEnv(env, 'TEMPORAL_UI_PORT', 8233),
    taskQueue: env.TEMPORAL_TASK_QUEUE || TASK_QUEUE,
    appSecretsKey: env.APP_SECRETS_KEY || undefined,
    demoErpSecret: env.DEMO_ERP_SECRET || 'demo-erp-secret',
    erpSandboxPort: intFromEnv(env, 'ERP_SANDBOX_PORT', 4100),
    demoErpSystemSecret: env.DEMO_ERP_SYSTEM_SECRET || 'demo-erp-system-secret',
    publicBaseUrl: env.PUBLIC_BASE_URL || `http://localhost:${port}`,
    ...(env.APPROVAL_HISTORY_LIMIT ? { historyLimit: historyLimitFromEnv(env.APPROVAL_HISTORY_LIMIT) } : {}),
  };
}
