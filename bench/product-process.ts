import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_APP_KEY } from '../db/seed-demo';
import { freePort } from '../runtime/free-port';

/**
 * The product as `npm start` runs it (scripts/start.ts: embedded PostgreSQL and Temporal dev
 * server with their durable settings, migrations, the demo seed, the ERP and DingTalk sandboxes,
 * the worker and the API), in a child process of the bench on free ports and a data directory of
 * its own. Its stdout and stderr (the request log lines) go to a file there, as they would go to a
 * log collector: their cost is counted.
 */
export interface ProductProcess {
  pid: number;
  apiUrl: string;
  temporalAddress: string;
  namespace: string;
  /** The demo ERP app the seed creates (start, act_for, sync, admin), with a secret of this run. */
  app: { key: string; secret: string };
  logFile: string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');
const READY_TIMEOUT_MS = 180_000;

/** @param options.root the checkout whose `scripts/start.ts` runs (another one to compare versions in one run). */
export async function startProduct(options: {
  root?: string;
  dataDir: string;
  toolsDir: string;
  env?: Record<string, string>;
  log: (line: string) => void;
}): Promise<ProductProcess> {
  const root = options.root ?? ROOT;
  const [port, pgPort, temporalPort, uiPort, erpPort, dingtalkPort, metricsPort] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const secret = randomBytes(16).toString('hex');
  const logFile = path.join(options.dataDir, `product-${port}.log`);
  const out = createWriteStream(logFile);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: path.join(options.dataDir, `product-${port}`),
    TOOLS_DIR: options.toolsDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    ERP_SANDBOX_PORT: String(erpPort),
    DINGTALK_SANDBOX_PORT: String(dingtalkPort),
    WORKER_METRICS_PORT: String(metricsPort),
    DEMO_ERP_SECRET: secret,
    // One app carries all of the bench's traffic: the per-app limit (100/s by default) would cap it.
    API_RATE_LIMIT_PER_APP: '0',
    ...options.env,
  };
  // BENCH_PRODUCT_NODE_ARGS: extra node flags for the product, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const nodeArgs = (process.env.BENCH_PRODUCT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );

  const apiUrl = `http://127.0.0.1:${port}`;
  const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`npm start exited (${exited.code ?? exited.signal}) before it was ready; its log ends:\n${tail()}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`npm start not ready after ${READY_TIMEOUT_MS / 1000} s; its log ends:\n${tail()}`);
    }
    const ready = await fetch(`${apiUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  options.log(`npm start of ${root} ready (pid ${child.pid}, API ${apiUrl}, log ${logFile})`);

  return {
    pid: child.pid!,
    apiUrl,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    namespace: 'default',
    app: { key: DEMO_APP_KEY, secret },
    logFile,
    async stop() {
      if (exited) return;
      // Ctrl-C as a user would: the product stops API, worker, Temporal and PostgreSQL in order.
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        if (!exited) process.kill(-child.pid!, 'SIGKILL');
      }, 60_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
