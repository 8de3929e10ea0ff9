import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { cardSettingsOf } from '../../activities/dingtalk/approver-channel';
import { connectCardClicks, type CardClickTransport } from '../../api/card-click-transport';
import type { ApiDependencies } from '../../api/context';
import { startApiServer } from '../../api/server';
import type { DingTalkConfig, RateLimitSettings } from '../../config';
import { createDingTalkClient } from '../../integrations/dingtalk/client';
import type { DingTalkApi } from '../../integrations/dingtalk/dingtalk-api';
import { createSignedClient, type SignedClient } from '../../client/signed-client';
import { upsertApp } from '../../db/apps';
import type { Database } from '../../db/client';
import type { AppPermission } from '../../db/schema';
import type { SecretBox } from '../../db/secret-box';
import type { RetrySettings } from '../../engine/state';
import { temporalClientInterceptors } from '../../observability/temporal-client-interceptors';
import { PinoTemporalLogger } from '../../observability/temporal-logger';
import type { Tracing } from '../../observability/tracing';
import { freePort } from '../../runtime/free-port';
import { DEFAULT_NAMESPACE } from '../../temporal-config';
import { createApprovalWorker } from '../../workers/approval-worker';
import { createTestDatabase, required } from './test-database';

/**
 * One test file's slice of the real stack: its own database (cloned from the migrated template),
 * its own task queue with a real worker, and the API served over HTTP on a free port — all on
 * the PostgreSQL and Temporal dev server that Jest's global setup started.
 */
export interface TestStack {
  baseUrl: string;
  api: SignedClient;
  database: Database;
  temporal: Client;
  taskQueue: string;
  appKey: string;
  secretBox: SecretBox;
  /** With `options.dingtalk`: the client the worker and the API use, and where card clicks come from. */
  dingtalk?: { api: DingTalkApi; clicks: CardClickTransport };
  /** Registers another app with only `permissions`, and returns a client signed with its secret. */
  appWith(permissions: AppPermission[]): Promise<SignedClient & { appKey: string; secret: string }>;
  stop(): Promise<void>;
}

/** A Temporal server the stack may run on instead of the dev server: the time-skipping test server's environment. */
export interface TemporalOfTest {
  client: Client;
  nativeConnection: NativeConnection;
}

export interface TestStackOptions {
  /** Instances continue-as-new past this many history events. */
  historyLimit?: number;
  /** Run on this Temporal (it stays open when the stack stops) instead of the shared dev server. */
  temporal?: TemporalOfTest;
  /** Retry limits of ERP calls and webhooks (default: fast ones, so failures surface within seconds). */
  retries?: RetrySettings;
  /** DingTalk (the fake) for cards, todos, notices and clicks; the card links point at `publicBaseUrl` (default: the API). */
  dingtalk?: DingTalkConfig;
  /** Without `dingtalk`: an in-memory DingTalk for the worker's activities alone (the org sync; no card settings, so no cards). */
  dingtalkApi?: DingTalkApi;
  /** Serve the sandbox's dev login (`POST /api/v1/auth/dev-login`), as embedded mode does. */
  devLogin?: boolean;
  /** Request rates per app and per session user; default none (the tests poll hard and share one app). */
  rateLimits?: RateLimitSettings;
  /** Trace the API, the client, the workflows and the activities (observability/tracing.ts); on the dev server only. */
  tracing?: Tracing;
}

/** Few, quick retries: a test sees a failure surface (dead letter, compensation_failed) in seconds. */
export const TEST_RETRIES: RetrySettings = {
  service: { maximumAttempts: 3, initialIntervalMs: 100, maximumIntervalMs: 200 },
  compensation: { maximumAttempts: 3, initialIntervalMs: 100, maximumIntervalMs: 200 },
  webhook: { maximumAttempts: 4, initialIntervalMs: 100, maximumIntervalMs: 200 },
  writeBack: { maximumAttempts: 3, initialIntervalMs: 100, maximumIntervalMs: 200 },
  channel: { maximumAttempts: 100, initialIntervalMs: 100, maximumIntervalMs: 500 },
};

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  installQuietRuntime();
  const suffix = randomBytes(4).toString('hex');
  const testDatabase = await createTestDatabase();
  const { database, secretBox } = testDatabase;

  const appKey = `test-app-${suffix}`;
  const secret = randomBytes(16).toString('hex');
  await upsertApp(database.db, secretBox, { key: appKey, name: 'Test ERP', secret, permissions: ['start', 'act_for', 'sync', 'admin'] });

  const own = options.temporal ? undefined : await connectToDevServer(options.tracing);
  const { client: temporal, nativeConnection: workerConnection } = options.temporal ?? own!;
  const taskQueue = `approvals-test-${suffix}`;
  const dingtalk = options.dingtalk ? createDingTalkClient(options.dingtalk) : undefined;
  // Cards link to the API's pages and DingTalk calls the API back: its address is chosen first.
  const apiPort = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${apiPort}`;
  const worker: Worker = await createApprovalWorker({
    connection: workerConnection,
    namespace: DEFAULT_NAMESPACE,
    taskQueue,
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
    db: database.db,
    secretBox,
    ...(dingtalk && options.dingtalk ? { dingtalk, cardSettings: cardSettingsOf(options.dingtalk, publicBaseUrl) } : {}),
    ...(options.dingtalkApi && !options.dingtalk ? { dingtalk: options.dingtalkApi } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
  });
  const workerRun = worker.run();
  const apiDeps: ApiDependencies = {
    db: database.db,
    temporal,
    secretBox,
    // Every answer of every integration test is held to the OpenAPI document.
    checkContract: true,
    config: {
      temporalNamespace: DEFAULT_NAMESPACE,
      taskQueue,
      retries: options.retries ?? TEST_RETRIES,
      ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
      ...(options.dingtalk ? { dingtalk: options.dingtalk, publicBaseUrl } : {}),
      devLogin: options.devLogin === true,
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    },
    ...(dingtalk ? { dingtalk } : {}),
    ...(options.tracing ? { tracer: options.tracing.tracer('api') } : {}),
  };
  const server = await startApiServer(apiDeps, apiPort, '127.0.0.1');
  const clicks = dingtalk && options.dingtalk ? await connectCardClicks({ ...apiDeps, dingtalk }, options.dingtalk, publicBaseUrl, () => undefined) : undefined;

  return {
    baseUrl: server.url,
    api: createSignedClient({ baseUrl: server.url, appKey, secret }),
    database,
    temporal,
    taskQueue,
    appKey,
    secretBox,
    ...(dingtalk && clicks ? { dingtalk: { api: dingtalk, clicks } } : {}),
    async appWith(permissions) {
      const key = `test-app-${randomBytes(4).toString('hex')}`;
      const appSecret = randomBytes(16).toString('hex');
      await upsertApp(database.db, secretBox, { key, name: 'Limited app', secret: appSecret, permissions });
      return { ...createSignedClient({ baseUrl: server.url, appKey: key, secret: appSecret }), appKey: key, secret: appSecret };
    },
    async stop() {
      await clicks?.stop();
      await server.close(2_000);
      worker.shutdown();
      await workerRun;
      await own?.close();
      await testDatabase.drop();
    },
  };
}

/** The Temporal SDK runtime, logging warnings only; once per Jest worker (module state does not survive between files, the native runtime does). */
export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new PinoTemporalLogger('warn') });
  } catch {
    // Already installed by an earlier test file of this worker.
  }
}

async function connectToDevServer(tracing: Tracing | undefined): Promise<TemporalOfTest & { close(): Promise<void> }> {
  const address = required('TEST_TEMPORAL_ADDRESS');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, namespace: DEFAULT_NAMESPACE, interceptors: temporalClientInterceptors(tracing) }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}
