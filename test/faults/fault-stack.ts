import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { ApiDependencies } from '../../api/context';
import { connectCardClicks, type CardClickTransport } from '../../api/card-click-transport';
import { startApiServer, type RunningApi } from '../../api/server';
import { createSignedClient, type SignedClient } from '../../client/signed-client';
import type { DingTalkConfig } from '../../config';
import { upsertApp } from '../../db/apps';
import { connectDatabase, migrateDatabase, type Database } from '../../db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/embedded-postgres';
import { SecretBox } from '../../db/secret-box';
import type { FlowDefinition } from '../../engine/dsl';
import type { RetrySettings } from '../../engine/state';
import { createDingTalkClient } from '../../integrations/dingtalk/client';
import { freePort } from '../../runtime/free-port';
import { waitForExit } from '../../runtime/leftover-process';
import { spawnOwned, stopChild } from '../../runtime/owned-process';
import { startErpSandbox, type RunningErpSandbox } from '../../sandbox/erp/erp-sandbox';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';
import { DEFAULT_NAMESPACE } from '../../temporal-config';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../temporal-config/dev-server';
import { buildWorkflowBundle } from '../../workers/workflow-bundle';
import { CENTER, erpSystemBody } from '../support/erp-fixtures';
import { fakeDingTalkConfig } from '../support/fake-dingtalk-config';
import { expectOk, publishFlow, testForm } from '../support/fixtures';
import { startChaosProxy, type ChaosProxy } from './chaos-proxy';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The real stack, every part its own so a scenario can break it: PostgreSQL and the Temporal dev
 * server (durable settings, as `npm start` runs them) on free ports in a temp dir; the worker as
 * a separate process (workers/main.ts, the production entry point); the API in this process; the
 * ERP sandbox (budget, webhook receiver) and the fake DingTalk, each behind a chaos proxy.
 */
export interface FaultStack {
  api: SignedClient;
  baseUrl: string;
  /** The ERP app the driver signs with. */
  app: { appKey: string; secret: string };
  db: Database;
  temporal: Client;
  taskQueue: string;
  erp: RunningErpSandbox;
  erpProxy: ChaosProxy;
  dingtalk: RunningFakeDingTalk;
  dingtalkProxy: ChaosProxy;
  /** The webhook receiver, through the ERP proxy. */
  callbackUrl: string;
  system: string;
  flows: { chain: string; countersign: string; vote: string };
  worker: { kill(): Promise<void>; start(): Promise<void>; readonly kills: number; readonly unexpectedExits: string[] };
  /** SIGKILL of the Temporal server, down for `downMs`, started again on the same store and port. */
  bounceTemporal(downMs: number): Promise<void>;
  /** PostgreSQL's immediate shutdown (as a crash: recovery on the next start), down for `downMs`. */
  bouncePostgres(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Many attempts, short intervals: a 30 % failure rate is ridden out within seconds. */
export const FAULT_RETRIES: RetrySettings = {
  service: { maximumAttempts: 30, initialIntervalMs: 100, maximumIntervalMs: 1_000 },
  compensation: { maximumAttempts: 30, initialIntervalMs: 100, maximumIntervalMs: 1_000 },
  webhook: { maximumAttempts: 30, initialIntervalMs: 100, maximumIntervalMs: 1_000 },
  writeBack: { maximumAttempts: 30, initialIntervalMs: 100, maximumIntervalMs: 1_000 },
  channel: { maximumAttempts: 100, initialIntervalMs: 100, maximumIntervalMs: 1_000 },
};

const DINGTALK_APP = { appKey: 'fault-ding-app', appSecret: randomBytes(8).toString('hex'), agentId: 5151, corpId: 'fault-corp' };
const CARD_TEMPLATE = 'approval_card.schema';

export const CHAIN_APPROVERS = ['u_manager', 'u_finance'] as const;
export const VOTERS = ['u_v1', 'u_v2', 'u_v3', 'u_v4', 'u_v5'] as const;
export const INITIATOR = 'u_requester';
const people = [INITIATOR, ...CHAIN_APPROVERS, ...VOTERS];
export const dingtalkIdOf = (userId: string) => `dt_${userId}`;

function flows(suffix: string, system: string): FlowDefinition[] {
  const approval = (id: string, ids: string[], mode: 'any' | 'all' | 'vote', next: string, extra: object = {}) =>
    ({ id, type: 'approval', name: id, approvers: { type: 'users', ids }, mode, next, ...extra }) as FlowDefinition['nodes'][number];
  return [
    {
      code: `fault_chain_${suffix}`,
      name: '故障链路',
      form: testForm,
      nodes: [
        { id: 'start', type: 'start', next: 'reserve' },
        {
          id: 'reserve',
          type: 'service',
          name: '预占预算',
          call: { system, operation: 'reserve_budget' },
          compensate: { system, operation: 'release_budget' },
          next: 'manager',
        },
        approval('manager', [CHAIN_APPROVERS[0]], 'any', 'finance'),
        approval('finance', [CHAIN_APPROVERS[1]], 'any', 'end'),
        { id: 'end', type: 'end' },
      ],
    },
    {
      code: `fault_all_${suffix}`,
      name: '会签竞争',
      form: testForm,
      nodes: [{ id: 'start', type: 'start', next: 'sign' }, approval('sign', [...VOTERS], 'all', 'end'), { id: 'end', type: 'end' }],
    },
    {
      code: `fault_vote_${suffix}`,
      name: '票签竞争',
      form: testForm,
      nodes: [{ id: 'start', type: 'start', next: 'vote' }, approval('vote', [...VOTERS], 'vote', 'end', { passCount: 3 }), { id: 'end', type: 'end' }],
    },
  ];
}

interface Step {
  what: string;
  run(): Promise<unknown>;
}

export async function startFaultStack(log: (line: string) => void = () => undefined): Promise<FaultStack> {
  const steps: Step[] = [];
  const stopAll = async () => {
    for (const step of steps.reverse()) await step.run().catch((err: unknown) => log(`stopping ${step.what} failed: ${String(err)}`));
  };
  try {
    return await start(steps, stopAll, log);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function start(steps: Step[], stopAll: () => Promise<void>, log: (line: string) => void): Promise<FaultStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'approvals-faults-'));
  chmodSync(dataDir, 0o755);
  steps.push({ what: 'data dir', run: async () => rmSync(dataDir, { recursive: true, force: true }) });
  const [pgPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const pgOptions = { dataDir: path.join(dataDir, 'postgres'), port: pgPort, durability: 'durable' as const, log };
  const temporalOptions = {
    cliPath: ensureTemporalCli(path.join(ROOT, '.tools'), log),
    dbFile: path.join(dataDir, 'temporal.db'),
    port: temporalPort,
    uiPort: 0,
    headless: true,
    durability: 'durable' as const,
    log,
  };
  const bundlePath = path.join(dataDir, 'workflow-bundle.js');
  let [postgres, temporalServer]: [EmbeddedPostgres, DevServer, string] = await Promise.all([
    startEmbeddedPostgres(pgOptions),
    startDevServer(temporalOptions),
    buildWorkflowBundle(bundlePath),
  ]);
  steps.push({ what: 'PostgreSQL', run: () => postgres.stop() });
  steps.push({ what: 'Temporal', run: () => temporalServer.stop() });
  await migrateDatabase(postgres.url);
  const database = connectDatabase(postgres.url);
  steps.push({ what: 'database pool', run: () => database.close() });
  const secretsKey = randomBytes(32).toString('base64');
  const secretBox = new SecretBox(Buffer.from(secretsKey, 'base64'));
  const appKey = 'fault-erp';
  const appSecret = randomBytes(16).toString('hex');
  await upsertApp(database.db, secretBox, { key: appKey, name: 'Fault ERP', secret: appSecret, permissions: ['start', 'act_for', 'sync', 'admin'] });

  const erp = await startErpSandbox({ webhookApps: { [appKey]: appSecret }, inboundAuth: { type: 'hmac', ...CENTER } });
  steps.push({ what: 'ERP sandbox', run: () => erp.close() });
  const erpProxy = await startChaosProxy(erp.url);
  steps.push({ what: 'ERP proxy', run: () => erpProxy.close() });
  const dingtalk = await startFakeDingTalk({
    apps: [DINGTALK_APP],
    cardTemplateIds: [CARD_TEMPLATE],
    org: {
      departments: [{ dept_id: 2, name: '故障部', parent_id: 1 }],
      users: people.map((id) => ({ userid: dingtalkIdOf(id), unionid: `un_${id}`, name: id, dept_id_list: [2] })),
    },
  });
  steps.push({ what: 'fake DingTalk', run: () => dingtalk.close() });
  const dingtalkProxy = await startChaosProxy(dingtalk.url);
  steps.push({ what: 'DingTalk proxy', run: () => dingtalkProxy.close() });
  const dingtalkConfig: DingTalkConfig = {
    ...fakeDingTalkConfig(dingtalk, DINGTALK_APP, CARD_TEMPLATE, 'http'),
    apiBase: dingtalkProxy.url,
    oapiBase: dingtalkProxy.url,
  };

  const connection = await Connection.connect({ address: temporalServer.address });
  steps.push({ what: 'Temporal client', run: () => connection.close() });
  const temporal = new Client({ connection, namespace: DEFAULT_NAMESPACE });
  const taskQueue = `approvals-faults-${randomBytes(3).toString('hex')}`;
  const publicBaseUrl = `http://127.0.0.1:${apiPort}`;

  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    APP_SECRETS_KEY: secretsKey,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    PUBLIC_BASE_URL: publicBaseUrl,
    LOG_LEVEL: 'ERROR',
    DINGTALK_APP_KEY: dingtalkConfig.appKey,
    DINGTALK_APP_SECRET: dingtalkConfig.appSecret,
    DINGTALK_AGENT_ID: String(dingtalkConfig.agentId),
    DINGTALK_CORP_ID: dingtalkConfig.corpId,
    DINGTALK_CARD_TEMPLATE_ID: CARD_TEMPLATE,
    DINGTALK_CALLBACK_MODE: 'http',
    DINGTALK_CALLBACK_SECRET: dingtalkConfig.callbackSecret,
    DINGTALK_CALLBACK_ROUTE_KEY: dingtalkConfig.callbackRouteKey,
    DINGTALK_API_BASE: dingtalkProxy.url,
    DINGTALK_OAPI_BASE: dingtalkProxy.url,
  };
  let workerProcess: ChildProcess | undefined;
  let kills = 0;
  let stopping = false;
  const unexpectedExits: string[] = [];
  const worker = {
    get kills() {
      return kills;
    },
    unexpectedExits,
    async start() {
      const child = spawnOwned(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
        cwd: ROOT,
        env: workerEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
        deathSignal: 'KILL',
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
        log(`[worker] ${chunk.toString().trim()}`);
      });
      child.once('exit', (code, signal) => {
        if (signal === 'SIGKILL' || workerProcess !== child || stopping) return;
        // Nobody stopped it: a worker must ride out its dependencies' outages, so this is a finding
        // (counted by run-faults.ts). It is started again, as a supervisor would, so that the rest of
        // the suite still measures what it is about instead of waiting on a queue nobody polls.
        const finding = `the worker exited by itself (code ${code}, signal ${signal}): ${stderr.trim().split('\n').slice(-8).join(' | ')}`;
        unexpectedExits.push(finding);
        process.stderr.write(`[faults] ${finding}\n`);
        void worker.start();
      });
      workerProcess = child;
    },
    async kill() {
      const child = workerProcess;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      kills += 1;
    },
  };
  await worker.start();
  steps.push({
    what: 'worker',
    run: () => {
      stopping = true;
      return workerProcess ? stopChild(workerProcess, 15_000) : Promise.resolve();
    },
  });

  const apiDeps: ApiDependencies = {
    db: database.db,
    temporal,
    secretBox,
    checkContract: true,
    config: { temporalNamespace: DEFAULT_NAMESPACE, taskQueue, retries: FAULT_RETRIES, dingtalk: dingtalkConfig, publicBaseUrl, devLogin: false },
    dingtalk: createDingTalkClient(dingtalkConfig),
  };
  const server: RunningApi = await startApiServer(apiDeps, apiPort, '127.0.0.1');
  steps.push({ what: 'API', run: () => server.close(5_000) });
  const clicks: CardClickTransport = await connectCardClicks({ ...apiDeps, dingtalk: apiDeps.dingtalk! }, dingtalkConfig, publicBaseUrl, () => undefined);
  steps.push({ what: 'card clicks', run: () => clicks.stop() });

  const api = createSignedClient({ baseUrl: server.url, appKey, secret: appSecret });
  await expectOk(
    api.request('POST', '/api/v1/sync/users', {
      mode: 'incremental',
      users: people.map((id) => ({ id, name: id, deptIds: ['d1'], dingtalkUserId: dingtalkIdOf(id), dingtalkUnionId: `un_${id}` })),
    }),
  );
  const system = `erp_${randomBytes(3).toString('hex')}`;
  await expectOk(api.request('POST', '/api/v1/systems', erpSystemBody(system, erpProxy.url)), 201);
  const suffix = randomBytes(3).toString('hex');
  const [chain, countersign, vote] = flows(suffix, system);
  for (const flow of [chain!, countersign!, vote!]) await publishFlow(api, flow);

  return {
    api,
    baseUrl: server.url,
    app: { appKey, secret: appSecret },
    db: database,
    temporal,
    taskQueue,
    erp,
    erpProxy,
    dingtalk,
    dingtalkProxy,
    callbackUrl: `${erpProxy.url}/webhooks/approval`,
    system,
    flows: { chain: chain!.code, countersign: countersign!.code, vote: vote!.code },
    worker,
    async bounceTemporal(downMs) {
      process.kill(temporalServer.pid, 'SIGKILL');
      await waitForExit(temporalServer.pid);
      await sleep(downMs);
      temporalServer = await startDevServer(temporalOptions);
    },
    async bouncePostgres(downMs) {
      process.kill(postgres.pid, 'SIGQUIT');
      await waitForExit(postgres.pid);
      await sleep(downMs);
      postgres = await startEmbeddedPostgres(pgOptions);
    },
    stop: stopAll,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
