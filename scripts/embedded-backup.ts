import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { postgresLeftover } from '../db/embedded-postgres';
import { runningLeftover } from '../runtime/leftover-process';
import { devServerLeftover } from '../temporal-config/dev-server';

/**
 * `npm run backup [-- <file.tar.gz>]` and `npm run restore -- <file.tar.gz> [--force]`: the
 * embedded data (DATA_DIR: PostgreSQL's data directory, Temporal's SQLite store, the app-secrets
 * key) as one archive. Offline: `npm start` must be stopped, so PostgreSQL's files and Temporal's
 * store are a consistent pair (a copy of running servers is not). Restore puts an archive back
 * into an empty DATA_DIR, or with --force moves the current one aside first.
 */

/** The embedded servers still running on `dataDir`, for the refusal. */
function running(dataDir: string): string[] {
  return [postgresLeftover(path.join(dataDir, 'postgres')), devServerLeftover(path.join(dataDir, 'temporal.db'))].flatMap((leftover) => {
    const pid = runningLeftover(leftover);
    return pid === undefined ? [] : [`${leftover.what} (pid ${pid})`];
  });
}

function tar(args: string[]): void {
  const result = spawnSync('tar', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`tar ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

function backup(dataDir: string, target: string | undefined): void {
  if (!existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))) throw new Error(`no embedded data in ${dataDir}`);
  const file = path.resolve(target ?? path.join('backups', `approvals-${stamp()}.tar.gz`));
  mkdirSync(path.dirname(file), { recursive: true });
  // Pid files and PostgreSQL's own runtime files are not state.
  tar(['-czf', file, '--exclude=./postgres/postmaster.pid', '--exclude=./postgres/postmaster.opts', '--exclude=./temporal.db.pid', '-C', dataDir, '.']);
  console.log(`backed up ${dataDir} to ${file}`);
  console.log('It holds the app-secrets key: keep it as safe as the secrets themselves.');
}

function restore(dataDir: string, archive: string | undefined, force: boolean): void {
  if (!archive) throw new Error('usage: npm run restore -- <file.tar.gz> [--force]');
  const file = path.resolve(archive);
  if (!existsSync(file)) throw new Error(`no such archive: ${file}`);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    if (!force) throw new Error(`${dataDir} is not empty: restore with --force to move it aside first`);
    const aside = `${dataDir}.before-restore-${stamp()}`;
    renameSync(dataDir, aside);
    console.log(`moved the current data to ${aside}`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  // As root, tar keeps the owners (the `postgres` user owns PostgreSQL's directory).
  tar(['-xzf', file, '-C', dataDir]);
  console.log(`restored ${file} into ${dataDir}; npm start runs on it`);
}

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  const config = loadConfig();
  if (config.databaseUrl || config.temporalAddress)
    throw new Error('backup and restore cover the embedded data only; back up an external PostgreSQL and Temporal with their own tools');
  const busy = running(config.dataDir);
  if (busy.length > 0) throw new Error(`${busy.join(' and ')} still run on ${config.dataDir}: stop npm start first (Ctrl-C)`);
  const args = rest.filter((a) => !a.startsWith('--'));
  if (command === 'backup') backup(config.dataDir, args[0]);
  else if (command === 'restore') restore(config.dataDir, args[0], rest.includes('--force'));
  else throw new Error('usage: embedded-backup.ts backup [file] | restore <file> [--force]');
}

try {
  main();
} catch (err) {
  console.error(`[${process.argv[2] ?? 'backup'}] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
