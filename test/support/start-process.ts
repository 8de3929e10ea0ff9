import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSignedClient, type SignedClient } from '../../client/signed-client';
import { DEMO_APP_KEY, DEMO_ERP_SYSTEM, demoFlow } from '../../db/seed-demo';
import { freePort } from '../../runtime/free-port';
import { pidIn } from '../../runtime/leftover-process';
import { expectOk, uid } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');

/** The ports and data dir of one `npm start` of a test, all its own. */
export interface StartEnvironment {
  dataDir: string;
  apiPort: number;
  env: NodeJS.ProcessEnv;
}

export async function startEnvironment(): Promise<StartEnvironment> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'approvals-start-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the `postgres` user when we are root
  const apiPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    TOOLS_DIR: path.join(ROOT, '.tools'),
    PORT: String(apiPort),
    EMBEDDED_PG_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    ERP_SANDBOX_PORT: String(await freePort()),
    DINGTALK_SANDBOX_PORT: String(await freePort()),
  };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'DINGTALK_APP_KEY', 'EMBEDDED_DURABILITY', 'OWNED_PROCESS_DEATH_SIGNAL']) delete env[name];
  return { dataDir, apiPort, env };
}

/** `npm start` as a child (node + tsx directly, so its pid is the product's own process). */
export interface StartedProduct {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the banner is out; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function launchStart(environment: StartEnvironment, extraEnv: NodeJS.ProcessEnv = {}): StartedProduct {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts')], {
    cwd: ROOT,
    env: { ...environment.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('Approval service ready')) resolve();
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => reject(new Error(`npm start exited (code ${code}, signal ${signal}) before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready, exited };
}

/** The pids of the embedded servers, from their pid files under the data dir. */
export function serverPids(dataDir: string): { postgres?: number; temporal?: number } {
  return { postgres: pidIn(path.join(dataDir, 'postgres', 'postmaster.pid')), temporal: pidIn(path.join(dataDir, 'temporal.db.pid')) };
}

/** The demo ERP app of that `npm start` (seeded with the default secret). */
export const demoClient = (environment: StartEnvironment): SignedClient =>
  createSignedClient({ baseUrl: `http://127.0.0.1:${environment.apiPort}`, appKey: DEMO_APP_KEY, secret: 'demo-erp-secret' });

/** One demo purchase request (the direct manager approves first); its instance id. */
export async function startDemoRequest(
  api: SignedClient,
  { form = { title: '显示器', amount: 3000 }, businessKey = uid('PR') }: { form?: { title: string; amount: number }; businessKey?: string } = {},
): Promise<string> {
  const started = await expectOk<{ instanceId: string }>(
    api.request('POST', '/api/v1/instances', {
      flowCode: demoFlow.code,
      businessKey,
      initiatorId: 'u_zhangsan',
      form,
      source: { system: DEMO_ERP_SYSTEM, type: 'purchase_request', id: businessKey },
    }),
    201,
  );
  return started.instanceId;
}
