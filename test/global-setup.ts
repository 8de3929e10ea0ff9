import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '..');

/** Starts the real PostgreSQL + Temporal dev server once per `npm test` run (see scripts/test-infrastructure.ts). */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'approvals-test-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the `postgres` user when we are root
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, TOOLS_DIR: path.join(ROOT, '.tools') };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/test-infrastructure.ts')], {
    cwd: ROOT,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)));
    });
    child.once('exit', (code) => reject(new Error(`test infrastructure exited with code ${code} before it was ready`)));
  });
  process.env.TEST_DATABASE_URL = ready.databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = ready.temporalAddress;
  process.env.TEST_WORKFLOW_BUNDLE = ready.bundlePath;
  process.env.TEST_TIME_SKIPPING_SERVER = ready.timeSkippingServer;
  process.env.TEST_APP_SECRETS_KEY = ready.appSecretsKey;
  (globalThis as Record<string, unknown>).__approvalsTestInfra = { child, dataDir };
}
