import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface Leftover {
  /** The pid file (its first line is the pid). */
  pidFile: string;
  /** For the log: "PostgreSQL". */
  what: string;
  /** Only a process whose command line contains this is ours (a pid may have been reused). */
  commandLineIncludes: string;
  /** How it stops cleanly (PostgreSQL: SIGINT, fast shutdown). */
  signal: NodeJS.Signals;
  /** Then SIGKILL. */
  graceMs?: number;
}

export function writePidFile(pidFile: string, pid: number): void {
  writeFileSync(pidFile, `${pid}\n`);
}

/** The pid a pid file names (its first line), or undefined when there is no such file or no pid in it. */
export function pidIn(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this pid exists (ours to signal or not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `/proc/<pid>/cmdline` where there is one; elsewhere `ps`. Undefined when the process is gone. */
function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid of the server its pid file names, if that process still runs and is ours (by its command line). */
export function runningLeftover(leftover: Leftover): number | undefined {
  const pid = pidIn(leftover.pidFile);
  const commandLine = pid === undefined ? undefined : commandLineOf(pid);
  return commandLine?.includes(leftover.commandLineIncludes) ? pid : undefined;
}

/** Resolves once no process has this pid. */
export async function waitForExit(pid: number): Promise<void> {
  while (isAlive(pid)) await sleep(50);
}

/**
 * A server a previous run started and did not stop (it was killed with SIGKILL, or the machine has
 * no parent-death signal): found by its pid file under the data dir, checked to be ours by its
 * command line, and stopped the way it stops cleanly. Resolves with its pid, or undefined when
 * there was none. A stale pid file (the process is gone) is removed.
 */
export async function stopLeftover(leftover: Leftover, log: (line: string) => void): Promise<number | undefined> {
  const pid = runningLeftover(leftover);
  if (pid === undefined) {
    rmSync(leftover.pidFile, { force: true });
    return undefined;
  }
  log(`stopping ${leftover.what} (pid ${pid}) left running by an earlier start`);
  process.kill(pid, leftover.signal);
  const deadline = Date.now() + (leftover.graceMs ?? 15_000);
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    log(`${leftover.what} (pid ${pid}) did not stop in time: SIGKILL`);
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid);
  }
  rmSync(leftover.pidFile, { force: true });
  return pid;
}
