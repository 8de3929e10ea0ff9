import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

let setprivPath: string | null | undefined;

/** util-linux `setpriv` (Linux), which can arm the parent-death signal before it execs the server. */
function setpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  if (process.platform !== 'linux' || process.env.OWNED_PROCESS_DEATH_SIGNAL === 'off') return (setprivPath = null);
  const found = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' });
  return (setprivPath = found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null);
}

export interface OwnedProcessOptions extends SpawnOptions {
  /**
   * What the child receives when we die without stopping it (SIGKILL, a crash): on Linux the
   * kernel sends it (PR_SET_PDEATHSIG, armed by `setpriv`), so a server never outlives us. Where
   * that is not available, the next start finds the leftover by its pid file (leftover-process.ts).
   */
  deathSignal?: 'INT' | 'TERM' | 'KILL';
}

/**
 * A server process we own (PostgreSQL, the Temporal dev server, a worker). It runs in its own
 * process group so a terminal's Ctrl-C reaches only us and we stop things in order (API, worker,
 * then servers); if we exit without stopping it, it is killed with us.
 */
export function spawnOwned(command: string, args: string[], options: OwnedProcessOptions): ChildProcess {
  const { deathSignal = 'TERM', ...spawnOptions } = options;
  const wrapper = setpriv();
  const child = wrapper
    ? spawn(wrapper, [`--pdeathsig=${deathSignal}`, '--', command, ...args], { ...spawnOptions, detached: true })
    : spawn(command, args, { ...spawnOptions, detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  return child;
}

/** Signals the child and waits for it to exit, escalating to SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
