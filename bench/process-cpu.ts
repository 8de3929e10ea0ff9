import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of process trees, from Linux /proc: what the bench counts as "the stack" for each
 * side. A process's figure includes its reaped children (PostgreSQL's finished backends), so a
 * tree's total only grows while the tree lives.
 */

const CLOCK_TICKS = (() => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

export interface ProcessCpu {
  pid: number;
  ppid: number;
  /** The executable's name as the kernel has it (`postgres`, `temporal`, `node`). */
  comm: string;
  /** utime + stime + cutime + cstime, in seconds. */
  seconds: number;
}

export const procAvailable = (): boolean => existsSync('/proc/self/stat');

/** Every process on the machine with its CPU seconds so far (an empty list without /proc). */
export function processTable(): ProcessCpu[] {
  if (!procAvailable()) return [];
  const rows: ProcessCpu[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      // Fields after "(comm) ": state ppid … utime(14) stime(15) cutime(16) cstime(17).
      const fields = stat.slice(close + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
      rows.push({ pid: Number(entry), ppid: Number(fields[1]), comm: stat.slice(open + 1, close), seconds: ticks / CLOCK_TICKS });
    } catch {
      // The process went away while we listed /proc.
    }
  }
  return rows;
}

/** The processes of the tree rooted at `root` (itself included). */
export function treeOf(table: ProcessCpu[], root: number): ProcessCpu[] {
  const members = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of table) {
      if (!members.has(row.pid) && members.has(row.ppid)) {
        members.add(row.pid);
        grew = true;
      }
    }
  }
  return table.filter((row) => members.has(row.pid));
}

/** CPU seconds by a name for each process (`classify` answers the name, or undefined to leave it out). */
export function cpuByPart(rows: ProcessCpu[], classify: (row: ProcessCpu) => string | undefined): Map<string, number> {
  const parts = new Map<string, number>();
  for (const row of rows) {
    const part = classify(row);
    if (part !== undefined) parts.set(part, (parts.get(part) ?? 0) + row.seconds);
  }
  return parts;
}

/** What each part used between two readings (a part that is new in `after` counts from 0). */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [part, seconds] of after) delta.set(part, Math.max(0, seconds - (before.get(part) ?? 0)));
  return delta;
}

/** CPU seconds the whole machine has been busy (all cores, every process), from /proc/stat. */
export function machineBusySeconds(): number | undefined {
  try {
    const [label, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    if (label !== 'cpu') return undefined;
    const ticks = fields.map(Number);
    // user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
