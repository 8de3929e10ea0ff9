import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { startApiServer } from '../api/server';
import { DEFAULT_DEMO_ERP_SECRET, loadConfig } from '../config';
import { keepEventPartitionsAhead } from '../db/event-partitions';
import { connectDatabase, migrateDatabase } from '../db/client';
import { loadSecretBox } from '../db/secrets-key';
import { DEMO_APP_KEY, DEMO_ERP_CALLER_KEY, DEMO_ERP_SYSTEM, demoFlow, seedDemo } from '../db/seed-demo';
import { startErpSandbox } from '../sandbox/erp/erp-sandbox';
import { cardSettingsOf } from '../activities/dingtalk/approver-channel';
import { connectCardClicks } from '../api/card-click-transport';
import { createDingTalkClient } from '../integrations/dingtalk/client';
import { ensureDingTalkOrgSyncSchedule } from '../temporal-config/dingtalk-org-sync-schedule';
import { startDingTalkSandbox } from './dingtalk-sandbox';
import { createApprovalWorker } from '../workers/approval-worker';
import { assertPortsFree } from '../runtime/port-check';
import { ensureWorkflowBundle } from '../workers/workflow-bundle';
import { startInfrastructure, stopLeftoverServers } from './infrastructure';
import { temporalCoreMetrics } from '../observability/temporal-core-metrics';
import { logToTerminal, type LogLevelName, logLevelFromEnv } from '../observability/logger';
import { temporalClientInterceptors } from '../observability/temporal-client-interceptors';
import { forwardTemporalCoreLogs, PinoTemporalLogger } from '../observability/temporal-logger';
import { startTracing } from '../observability/tracing';

/**
 * `npm start`: the whole product in one process tree — PostgreSQL and the Temporal dev server
 * (embedded unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise), migrations, the demo seed,
 * the worker and the API. Ctrl-C stops it all, in reverse order.
 */
async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  logToTerminal();
  const log = (line: string) => console.log(`[start] ${line}`);
  // We own the shutdown order; the SDK must not react to signals on its own.
  // The Temporal core's metrics join the API's `/metrics` (one registry, one scrape target).
  Runtime.install({
    logger: new PinoTemporalLogger(embeddedTemporalLogLevel()),
    shutdownSignals: [],
    telemetryOptions: { logging: forwardTemporalCoreLogs, metrics: await temporalCoreMetrics() },
  });
  const tracing = startTracing();
  await stopLeftoverServers(config, log);
  await assertPortsFree([
    { port: config.port, what: 'API' },
    { port: config.erpSandboxPort, what: 'ERP sandbox' },
    ...(config.dingtalk ? [] : [{ port: config.dingtalkSandboxPort, what: 'DingTalk sandbox' }]),
    ...(config.databaseUrl ? [] : [{ port: config.embeddedPostgresPort, what: 'embedded PostgreSQL' }]),
    ...(config.temporalAddress
      ? []
      : [
          { port: config.temporalDevPort, what: 'Temporal frontend' },
          { port: config.temporalUiPort, what: 'Temporal Web UI' },
        ]),
  ]);

  const [infra, bundle] = await Promise.all([startInfrastructure(config, { log }), ensureWorkflowBundle()]);
  if (bundle.rebuilt) log('workflow bundle rebuilt');
  const cleanups: Array<() => Promise<unknown>> = [() => infra.stop()];
  if (tracing) cleanups.push(() => tracing.shutdown());
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error('[start] shutdown step failed:', err));
    log('stopped');
    process.exit(code);
  };
  try {
    await migrateDatabase(infra.databaseUrl);
    const database = connectDatabase(infra.databaseUrl);
    cleanups.push(() => database.close());
    const secretBox = loadSecretBox({ ...config, embedded: infra.embedded.postgres });
    // The ERP sandbox plays the demo ERP: it receives the webhooks and serves reserve/release budget.
    const erp = await startErpSandbox({
      webhookApps: { [DEMO_APP_KEY]: config.demoErpSecret },
      inboundAuth: { type: 'hmac', appKey: DEMO_ERP_CALLER_KEY, secret: config.demoErpSystemSecret },
      port: config.erpSandboxPort,
      host: '127.0.0.1',
    });
    cleanups.push(() => erp.close());
    // No DingTalk configured: the DingTalk sandbox plays it, with the demo org.
    const dingtalkSandbox = config.dingtalk ? undefined : await startDingTalkSandbox(config);
    if (dingtalkSandbox) cleanups.push(() => dingtalkSandbox.sandbox.close());
    const dingtalkConfig = config.dingtalk ?? dingtalkSandbox!.dingtalk;
    const dingtalk = createDingTalkClient(dingtalkConfig);
    await seedDemo(database.db, secretBox, { appSecret: config.demoErpSecret, erpBaseUrl: erp.url, erpSystemSecret: config.demoErpSystemSecret });

    const connection = await Connection.connect({ address: infra.temporalAddress });
    cleanups.push(() => connection.close());
    const temporal = new Client({ connection, namespace: config.temporalNamespace, interceptors: temporalClientInterceptors(tracing) });
    await ensureDingTalkOrgSyncSchedule(temporal, { cron: dingtalkConfig.orgSyncCron, taskQueue: config.taskQueue });
    const workerConnection = await NativeConnection.connect({ address: infra.temporalAddress });
    cleanups.push(() => workerConnection.close());
    const worker = await createApprovalWorker({
      connection: workerConnection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      workflowBundle: bundle,
      db: database.db,
      secretBox,
      dingtalk,
      cardSettings: cardSettingsOf(dingtalkConfig, config.publicBaseUrl),
      ...(tracing ? { tracing } : {}),
    });
    const stopPartitions = keepEventPartitionsAhead(database.db);
    cleanups.push(async () => stopPartitions());
    const workerRun = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    });
    workerRun.catch((err) => {
      console.error('[start] worker failed:', err);
      void shutdown(1);
    });

    const apiDeps = {
      db: database.db,
      temporal,
      secretBox,
      config: { ...config, dingtalk: dingtalkConfig },
      dingtalk,
      ...(tracing ? { tracer: tracing.tracer('api') } : {}),
    };
    const api = await startApiServer(apiDeps, config.port);
    cleanups.push(() => api.close());
    const clicks = await connectCardClicks(apiDeps, dingtalkConfig, config.publicBaseUrl);
    cleanups.push(() => clicks.stop());

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // `on`, not `once`: a second Ctrl-C must not kill us half-way through the orderly stop.
      process.on(signal, () => {
        if (stopping) return;
        log(`${signal}: stopping API, worker, Temporal and PostgreSQL …`);
        void shutdown(0);
      });
    }
    printBanner({
      ...config,
      apiUrl: api.url,
      erpSandboxUrl: erp.url,
      dingtalk: dingtalkSandbox
        ? `${dingtalkSandbox.sandbox.url}/   (the sandbox: each demo user's cards, todos and notices; 同意 / 拒绝 arrive by ${dingtalkConfig.callbackMode === 'http' ? 'the signed HTTP callback' : 'Stream mode'})`
        : `${dingtalkConfig.apiBase} (clicks by ${dingtalkConfig.callbackMode === 'http' ? 'HTTP callback' : 'Stream mode'})`,
      temporalAddress: infra.temporalAddress,
      temporalUiUrl: infra.temporalUiUrl,
      seconds: (Date.now() - startedAt) / 1000,
    });
  } catch (err) {
    console.error('[start] failed:', err);
    await shutdown(1);
  }
}

/** The SDK's own lines: warnings and errors, unless LOG_LEVEL asks for more (or less). */
function embeddedTemporalLogLevel(): LogLevelName {
  return process.env.LOG_LEVEL ? logLevelFromEnv() : 'warn';
}

/** The demo app's built-in secret is printed for the demo; one chosen in DEMO_ERP_SECRET is a real secret and never printed. */
function demoSecretShown(secret: string): string {
  return secret === DEFAULT_DEMO_ERP_SECRET ? secret : '(as set in DEMO_ERP_SECRET)';
}

function printBanner(info: {
  apiUrl: string;
  erpSandboxUrl: string;
  dingtalk: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  temporalNamespace: string;
  taskQueue: string;
  dataDir: string;
  demoErpSecret: string;
  devLogin: boolean;
  seconds: number;
}): void {
  const lines = [
    '',
    `Approval service ready in ${info.seconds.toFixed(1)} s`,
    '',
    `  API            ${info.apiUrl}/api/v1   (health ${info.apiUrl}/healthz, readiness ${info.apiUrl}/readyz)`,
    `  H5 app         ${info.apiUrl}/h5/   (待办 / 已办 / 我发起的 / 抄送我的 and every action; ${info.devLogin ? 'log in as any demo user (DEV_LOGIN)' : '免登 inside DingTalk'})`,
    `  Flow designer  ${info.apiUrl}/designer/   (flow admins build and publish flows${info.devLogin ? '; log in as 赵六, an approval_admin' : ''})`,
    `  API docs       ${info.apiUrl}/docs   (Swagger UI; "Try it out" signs with the demo credentials below; ${info.apiUrl}/openapi.json)`,
    `  Temporal       ${info.temporalAddress}  namespace ${info.temporalNamespace}, task queue ${info.taskQueue}`,
    info.temporalUiUrl
      ? `  Temporal UI    ${info.temporalUiUrl}/namespaces/${info.temporalNamespace}/workflows`
      : '  Temporal UI    (external Temporal: use its own UI)',
    `  ERP sandbox    ${info.erpSandboxUrl}/   (what the demo ERP received: webhooks, budget, write-backs; system "${DEMO_ERP_SYSTEM}")`,
    `  DingTalk       ${info.dingtalk}`,
    `  Data           ${info.dataDir}`,
    '',
    `  Demo ERP app   X-App-Key: ${DEMO_APP_KEY}   secret: ${demoSecretShown(info.demoErpSecret)}   permissions: start, act_for, sync, admin`,
    `  Demo flow      ${demoFlow.code} (${demoFlow.name}) — try: npm run demo`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(`[start] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
