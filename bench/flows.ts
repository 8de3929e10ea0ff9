import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startApiServer } from '../api/server';
import { createSignedClient, type SignedClient, type SignedResponse } from '../client/signed-client';
import { loadConfig } from '../config';
import { upsertApp } from '../db/apps';
import { connectDatabase, migrateDatabase } from '../db/client';
import { SecretBox } from '../db/secret-box';
import type { FlowDefinition } from '../engine/dsl';
import type { InstanceView } from '../engine/instance-view';
import { startInfrastructure } from '../scripts/infrastructure';
import { createApprovalWorker } from '../workers/approval-worker';
import { buildWorkflowBundle } from '../workers/workflow-bundle';
import { baselineUpdate, type baselineWorkflow } from './flows-baseline-workflow';
import type { Durability } from '../runtime/durability';
import { freePort } from '../runtime/free-port';

/**
 * SPEC §10 throughput / latency bench: `node --import tsx bench/flows.ts`.
 *
 * Starts the embedded stack (PostgreSQL + Temporal dev server on free ports, in a temporary
 * DATA_DIR), one approval worker and the API in this process, then drives BENCH_FLOWS flows over
 * signed HTTP with BENCH_CONCURRENCY in flight: start, then each approver of a
 * manager → finance → CFO chain approves. Then, against the same Temporal server, a raw-Temporal
 * baseline: a no-logic workflow taking the same number of updates. Prints both side by side with
 * the ratios (ours / baseline). Progress goes to stderr, the report to stdout.
 *
 * Env: BENCH_FLOWS (200), BENCH_CONCURRENCY (20), BENCH_WARMUP (10 flows per side, not counted),
 * BENCH_HISTORY_SAMPLE (10 instances per side), BENCH_POLL_MS (20).
 */

const ROOT = path.resolve(__dirname, '..');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

const FLOWS = intEnv('BENCH_FLOWS', 200, 1);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 20, 1);
const WARMUP = intEnv('BENCH_WARMUP', 10, 0);
const HISTORY_SAMPLE = intEnv('BENCH_HISTORY_SAMPLE', 10, 1);
const POLL_MS = intEnv('BENCH_POLL_MS', 20, 1);
/** Give up on one HTTP call / update / poll loop after this long (a hung flow is an error, not a stall). */
const CALL_TIMEOUT_MS = 60_000;
/** Stop dispatching new flows once this many have failed. */
const MAX_ERRORS = 10;

const NAMESPACE = 'default';
const FLOW_CODE = 'bench_purchase_order';
const INITIATOR = 'u_bench_requester';
/** The approval chain: one `users` approver per node, in order. */
const CHAIN = [
  { nodeId: 'manager', name: '部门经理审批', userId: 'u_bench_manager' },
  { nodeId: 'finance', name: '财务审批', userId: 'u_bench_finance' },
  { nodeId: 'cfo', name: 'CFO 审批', userId: 'u_bench_cfo' },
] as const;
const UPDATES_PER_FLOW = CHAIN.length;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Set by SIGINT / SIGTERM: no new flows, no next phase, just the orderly stop. */
let interrupted = false;

// ---------------------------------------------------------------------------------------------
// Small helpers

function withTimeout<T>(promise: Promise<T>, what: string, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function expectStatus<T>(response: SignedResponse<T>, status: number, what: string): T {
  if (response.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

const instancePath = (instanceId: string) => `/api/v1/instances/${encodeURIComponent(instanceId)}`;

/** Runs `count` jobs with at most `concurrency` in flight; failures are collected, not thrown. */
async function runPool<T>(count: number, concurrency: number, job: (index: number) => Promise<T>): Promise<{ results: T[]; errors: string[] }> {
  const results: T[] = [];
  const errors: string[] = [];
  let next = 0;
  const lane = async () => {
    for (;;) {
      if (errors.length >= MAX_ERRORS || interrupted) return;
      const index = next++;
      if (index >= count) return;
      try {
        results.push(await job(index));
      } catch (err) {
        errors.push(`flow ${index}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { results, errors };
}

// ---------------------------------------------------------------------------------------------
// CPU: this process (worker + API + bench driver) and its child processes (Temporal, PostgreSQL)

const CLOCK_TICKS = (() => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds used so far by every descendant of this process (the Temporal dev server,
 * PostgreSQL and its backends), including their reaped children. Linux /proc only.
 */
function childrenCpuSeconds(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after "(comm) ": state ppid … utime(14) stime(15) cutime(16) cstime(17).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks });
    } catch {
      // The process went away while we listed /proc.
    }
  }
  const descendants = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of stats) {
      if (!descendants.has(pid) && descendants.has(ppid)) {
        descendants.add(pid);
        grew = true;
      }
    }
  }
  descendants.delete(process.pid);
  let ticks = 0;
  for (const pid of descendants) ticks += stats.get(pid)?.ticks ?? 0;
  return ticks / CLOCK_TICKS;
}

/** CPU seconds the whole machine has been busy (all cores, every process), from /proc/stat. */
function machineBusySeconds(): number | undefined {
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

interface CpuMark {
  wallMs: number;
  self: NodeJS.CpuUsage;
  children: number | undefined;
  machine: number | undefined;
}

const cpuMark = (): CpuMark => ({ wallMs: performance.now(), self: process.cpuUsage(), children: childrenCpuSeconds(), machine: machineBusySeconds() });

interface CpuShare {
  selfPct: number;
  childrenPct: number | undefined;
  /** Everything else on the machine (other processes): a bench sharing its CPUs is not measuring alone. */
  othersPct: number | undefined;
}

function cpuSince(mark: CpuMark): CpuShare {
  const wallMs = performance.now() - mark.wallMs;
  const self = process.cpuUsage(mark.self);
  const children = childrenCpuSeconds();
  const machine = machineBusySeconds();
  const pct = (seconds: number) => ((seconds * 1000) / wallMs) * 100;
  const selfPct = pct((self.user + self.system) / 1e6);
  const childrenPct = children === undefined || mark.children === undefined ? undefined : pct(children - mark.children);
  const machinePct = machine === undefined || mark.machine === undefined ? undefined : pct(machine - mark.machine);
  return {
    selfPct,
    childrenPct,
    othersPct: machinePct === undefined || childrenPct === undefined ? undefined : Math.max(0, machinePct - selfPct - childrenPct),
  };
}

// ---------------------------------------------------------------------------------------------
// One measured phase

interface FlowSample {
  workflowId: string;
  startMs: number;
  actionMs: number[];
  polls: number;
}

interface PhaseResult {
  label: string;
  flows: number;
  wallMs: number;
  startMs: number[];
  actionMs: number[];
  pollsPerFlow: number;
  historyAvg: number;
  historyMax: number;
  historyTypes: string;
  cpuSelfPct: number;
  cpuChildrenPct: number | undefined;
  cpuOthersPct: number | undefined;
  errors: string[];
}

async function runPhase(label: string, flow: (tag: string, index: number) => Promise<FlowSample>, temporal: Client): Promise<PhaseResult> {
  if (WARMUP > 0) {
    log(`${label}: warm-up, ${WARMUP} flows`);
    const warm = await runPool(WARMUP, Math.min(CONCURRENCY, WARMUP), (i) => flow('warm', i));
    if (warm.errors.length > 0) throw new Error(`${label} warm-up failed:\n  ${warm.errors.join('\n  ')}`);
  }
  log(`${label}: ${FLOWS} flows, concurrency ${CONCURRENCY}`);
  const mark = cpuMark();
  const progress = setInterval(() => log(`${label}: … ${((performance.now() - mark.wallMs) / 1000).toFixed(0)} s`), 10_000);
  const run = await runPool(FLOWS, CONCURRENCY, (i) => flow('run', i)).finally(() => clearInterval(progress));
  const wallMs = performance.now() - mark.wallMs;
  const cpu = cpuSince(mark);
  if (interrupted) throw new Error('interrupted');
  log(`${label}: done in ${(wallMs / 1000).toFixed(1)} s, ${run.errors.length} errors`);

  const history = await historyStats(
    temporal,
    run.results.map((r) => r.workflowId),
  );
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  return {
    label,
    flows: run.results.length,
    wallMs,
    startMs: sorted(run.results.map((r) => r.startMs)),
    actionMs: sorted(run.results.flatMap((r) => r.actionMs)),
    pollsPerFlow: run.results.reduce((sum, r) => sum + r.polls, 0) / Math.max(1, run.results.length),
    ...history,
    cpuSelfPct: cpu.selfPct,
    cpuChildrenPct: cpu.childrenPct,
    cpuOthersPct: cpu.othersPct,
    errors: run.errors,
  };
}

/** Events in the histories of a spread of the completed instances (each awaited to its close first). */
async function historyStats(temporal: Client, workflowIds: string[]): Promise<{ historyAvg: number; historyMax: number; historyTypes: string }> {
  const count = Math.min(HISTORY_SAMPLE, workflowIds.length);
  if (count === 0) return { historyAvg: Number.NaN, historyMax: Number.NaN, historyTypes: '' };
  const picked = Array.from({ length: count }, (_, i) => workflowIds[Math.floor((i * workflowIds.length) / count)]!);
  const lengths: number[] = [];
  let types = '';
  for (const workflowId of picked) {
    const handle = temporal.workflow.getHandle(workflowId);
    await withTimeout(handle.result(), `result of ${workflowId}`);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    lengths.push(events.length);
    if (types === '') {
      const byType = new Map<string, number>();
      for (const event of events) {
        const type = event.eventType ?? 0;
        const name = (proto.api.enums.v1.EventType[type] ?? String(type)).replace(/^EVENT_TYPE_/, '');
        byType.set(name, (byType.get(name) ?? 0) + 1);
      }
      types = [...byType].map(([name, n]) => `${name}×${n}`).join(' ');
    }
  }
  return { historyAvg: lengths.reduce((a, b) => a + b, 0) / lengths.length, historyMax: Math.max(...lengths), historyTypes: types };
}

// ---------------------------------------------------------------------------------------------
// The two kinds of flow

const purchaseOrderFlow: FlowDefinition = {
  code: FLOW_CODE,
  name: '采购订单审批（bench）',
  form: {
    fields: [
      { key: 'amount', type: 'number', required: true },
      { key: 'title', type: 'string' },
    ],
  },
  nodes: [
    { id: 'start', type: 'start', next: CHAIN[0].nodeId },
    ...CHAIN.map((step, i) => ({
      id: step.nodeId,
      type: 'approval' as const,
      name: step.name,
      approvers: { type: 'users' as const, ids: [step.userId] },
      mode: 'any' as const,
      next: CHAIN[i + 1]?.nodeId ?? 'end',
    })),
    { id: 'end', type: 'end' },
  ],
};

function pendingTaskOf(view: InstanceView | undefined, assigneeId: string): string | undefined {
  return view?.tasks.find((t) => t.assigneeId === assigneeId && t.status === 'pending')?.taskId;
}

/** One approval flow over HTTP: start, then each approver in turn (waiting for their task only when the last answer did not show it). */
function approvalFlow(api: SignedClient, runTag: string) {
  return async (tag: string, index: number): Promise<FlowSample> => {
    const businessKey = `PO-${runTag}-${tag}-${index}`;
    const body = {
      flowCode: FLOW_CODE,
      businessKey,
      initiatorId: INITIATOR,
      form: { amount: 12_800 + index, title: `办公设备采购 #${index}` },
      source: { system: 'erp', type: 'purchase.order', id: businessKey },
    };
    let t0 = performance.now();
    const started = expectStatus(
      await withTimeout(api.request<{ instanceId: string }>('POST', '/api/v1/instances', body), `start ${businessKey}`),
      201,
      `start ${businessKey}`,
    );
    const startMs = performance.now() - t0;
    const { instanceId } = started;
    const actionMs: number[] = [];
    let polls = 0;
    let view: InstanceView | undefined;
    for (const step of CHAIN) {
      let taskId = pendingTaskOf(view, step.userId);
      const deadline = Date.now() + CALL_TIMEOUT_MS;
      while (taskId === undefined) {
        if (Date.now() > deadline) throw new Error(`${instanceId}: no pending task for ${step.userId}; last view ${JSON.stringify(view)}`);
        if (polls > 0 || view !== undefined) await sleep(POLL_MS);
        polls++;
        const polled = await withTimeout(api.request<InstanceView>('GET', instancePath(instanceId)), `view ${instanceId}`);
        // 404 until the first workflow task has run and the instance is projected or queryable.
        if (polled.status === 200) view = polled.body;
        taskId = pendingTaskOf(polled.status === 200 ? polled.body : undefined, step.userId);
      }
      const action = { type: 'approve', actionId: `act-${runTag}-${tag}-${index}-${step.nodeId}`, actorId: step.userId, taskId, comment: '同意' };
      t0 = performance.now();
      const answered = await withTimeout(
        api.request<InstanceView>('POST', `${instancePath(instanceId)}/actions`, action),
        `approve ${instanceId} ${step.nodeId}`,
      );
      actionMs.push(performance.now() - t0);
      view = expectStatus(answered, 200, `approve ${instanceId} ${step.nodeId}`);
    }
    if (view?.status !== 'approved') throw new Error(`${instanceId} ended ${view?.status}, expected approved`);
    return { workflowId: instanceId, startMs, actionMs, polls };
  };
}

/** One baseline flow straight on Temporal: start, then the same number of updates. */
function baselineFlow(temporal: Client, taskQueue: string, runTag: string) {
  return async (tag: string, index: number): Promise<FlowSample> => {
    const workflowId = `baseline:${runTag}:${tag}-${index}`;
    let t0 = performance.now();
    const handle: WorkflowHandle<typeof baselineWorkflow> = await withTimeout(
      temporal.workflow.start<typeof baselineWorkflow>('baselineWorkflow', { taskQueue, workflowId, args: [UPDATES_PER_FLOW] }),
      `start ${workflowId}`,
    );
    const startMs = performance.now() - t0;
    const actionMs: number[] = [];
    let received = 0;
    for (let k = 0; k < UPDATES_PER_FLOW; k++) {
      const updateId = `act-${runTag}-${tag}-${index}-${k}`;
      t0 = performance.now();
      received = await withTimeout(handle.executeUpdate(baselineUpdate, { args: [updateId], updateId }), `update ${workflowId} #${k}`);
      actionMs.push(performance.now() - t0);
    }
    if (received !== UPDATES_PER_FLOW) throw new Error(`${workflowId} counted ${received} updates, expected ${UPDATES_PER_FLOW}`);
    return { workflowId, startMs, actionMs, polls: 0 };
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function report(ours: PhaseResult, base: PhaseResult, setup: { seconds: number; durability: Durability }): string {
  const fmt = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;
  const flowsPerSec = (r: PhaseResult) => r.flows / (r.wallMs / 1000);
  type Row = [label: string, ours: number | undefined, base: number | undefined, digits: number, showRatio: boolean];
  const rows: Row[] = [
    ['flows/s', flowsPerSec(ours), flowsPerSec(base), 2, true],
    ['wall time, s', ours.wallMs / 1000, base.wallMs / 1000, 1, true],
    ['start p50, ms', percentile(ours.startMs, 50), percentile(base.startMs, 50), 1, true],
    ['start p95, ms', percentile(ours.startMs, 95), percentile(base.startMs, 95), 1, true],
    ['start p99, ms', percentile(ours.startMs, 99), percentile(base.startMs, 99), 1, true],
    ['action p50, ms', percentile(ours.actionMs, 50), percentile(base.actionMs, 50), 1, true],
    ['action p95, ms', percentile(ours.actionMs, 95), percentile(base.actionMs, 95), 1, true],
    ['action p99, ms', percentile(ours.actionMs, 99), percentile(base.actionMs, 99), 1, true],
    ['history events/instance avg', ours.historyAvg, base.historyAvg, 1, true],
    ['history events/instance max', ours.historyMax, base.historyMax, 0, true],
    ['bench process CPU, % of 1 core', ours.cpuSelfPct, base.cpuSelfPct, 0, true],
    ['Temporal+Postgres CPU, % of 1 core', ours.cpuChildrenPct, base.cpuChildrenPct, 0, true],
    ['other processes CPU, % of 1 core', ours.cpuOthersPct, base.cpuOthersPct, 0, false],
    ['view polls per flow', ours.pollsPerFlow, base.pollsPerFlow, 2, false],
    ['flows completed', ours.flows, base.flows, 0, false],
    ['errors', ours.errors.length, base.errors.length, 0, false],
  ];
  const width = [36, 18, 16, 16];
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(width[i]!) : cell.padStart(width[i]!))).join('');
  const out: string[] = [];
  out.push('');
  out.push(
    `SPEC §10 flows bench — ${FLOWS} flows × ${UPDATES_PER_FLOW} approvals (manager → finance → CFO), concurrency ${CONCURRENCY}, ` +
      `warm-up ${WARMUP} per side (not counted), ${os.cpus().length} CPUs, setup ${setup.seconds.toFixed(1)} s, ` +
      `embedded servers ${setup.durability === 'durable' ? 'durable (fsync on, SQLite synchronous=FULL)' : 'fast (fsync off, SQLite synchronous=OFF)'}`,
  );
  out.push('');
  out.push(line(['', 'approval service', 'raw Temporal', 'ours / raw']));
  out.push(line(['', '(HTTP API)', '(client)', '']));
  for (const [label, a, b, digits, showRatio] of rows) out.push(line([label, fmt(a, digits), fmt(b, digits), showRatio ? ratio(a, b) : '']));
  out.push('');
  out.push('notes:');
  out.push('  start = POST /api/v1/instances vs client.workflow.start; action = POST …/actions {approve} vs handle.executeUpdate.');
  out.push('  An approve answers once its effects have settled (next approver resolved by an activity, projection written).');
  out.push('  Only the request is timed, not the polling for a pending task; flows/s is measured over the whole phase.');
  out.push('  "bench process CPU" is this one process: approval worker + API + bench HTTP client (ours), or');
  out.push('  baseline worker + Temporal client (raw); the phases run one after the other on the same Temporal server.');
  out.push(`  "other processes" is machine-wide busy CPU minus the two rows above: well above 0, the run shared its ${os.cpus().length} CPUs.`);
  out.push(`  history sampled from ${Math.min(HISTORY_SAMPLE, ours.flows)} / ${Math.min(HISTORY_SAMPLE, base.flows)} instances.`);
  out.push(`  ours, one instance: ${ours.historyTypes}`);
  out.push(`  raw,  one instance: ${base.historyTypes}`);
  for (const phase of [ours, base]) for (const error of phase.errors) out.push(`  ERROR (${phase.label}) ${error}`);
  out.push('');
  out.push(
    `SUMMARY flows/s ${fmt(flowsPerSec(ours), 2)} vs ${fmt(flowsPerSec(base), 2)} (${ratio(flowsPerSec(ours), flowsPerSec(base))}); ` +
      `start p50/p99 ${fmt(percentile(ours.startMs, 50))}/${fmt(percentile(ours.startMs, 99))} ms vs ${fmt(percentile(base.startMs, 50))}/${fmt(percentile(base.startMs, 99))} ms ` +
      `(${ratio(percentile(ours.startMs, 50), percentile(base.startMs, 50))}/${ratio(percentile(ours.startMs, 99), percentile(base.startMs, 99))}); ` +
      `action p50/p99 ${fmt(percentile(ours.actionMs, 50))}/${fmt(percentile(ours.actionMs, 99))} ms vs ${fmt(percentile(base.actionMs, 50))}/${fmt(percentile(base.actionMs, 99))} ms ` +
      `(${ratio(percentile(ours.actionMs, 50), percentile(base.actionMs, 50))}/${ratio(percentile(ours.actionMs, 99), percentile(base.actionMs, 99))}); ` +
      `history ${fmt(ours.historyAvg)} vs ${fmt(base.historyAvg)} events (${ratio(ours.historyAvg, base.historyAvg)}); ` +
      `process CPU ${fmt(ours.cpuSelfPct, 0)}% vs ${fmt(base.cpuSelfPct, 0)}%; errors ${ours.errors.length + base.errors.length}`,
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

const cleanups: Array<{ what: string; run: () => Promise<unknown> }> = [];
let cleaningUp: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await withTimeout(step.run(), `stopping ${step.what}`, 30_000);
      } catch (err) {
        log(`stopping ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return cleaningUp;
}

async function main(): Promise<void> {
  const setupStarted = performance.now();
  // We own the shutdown order; the SDK must not react to signals on its own.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'approvals-bench-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the `postgres` user when we are root
  cleanups.push({ what: 'data dir', run: async () => rmSync(dataDir, { recursive: true, force: true }) });
  const [pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const config = {
    // npm start's durable settings unless EMBEDDED_DURABILITY=fast asks for the unsafe fast ones.
    ...loadConfig({ DATA_DIR: dataDir, TOOLS_DIR: process.env.TOOLS_DIR || path.join(ROOT, '.tools'), EMBEDDED_DURABILITY: process.env.EMBEDDED_DURABILITY }),
    embeddedPostgresPort: pgPort,
    temporalDevPort: temporalPort,
    temporalUiPort: uiPort,
  };

  log(`starting PostgreSQL and Temporal (data ${dataDir}), bundling workflows …`);
  const quiet = () => undefined;
  const bundleLogger = { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: quiet, error: (message: string) => log(`webpack: ${message}`) };
  const infraStarting = startInfrastructure(config, { headless: true, log: (line) => log(line) });
  // Stop the servers even when bundling fails while they start.
  cleanups.push({
    what: 'PostgreSQL and Temporal',
    run: () =>
      infraStarting.then(
        (infra) => infra.stop(),
        () => undefined,
      ),
  });
  const [infra, bundlePath, baselineBundle] = await Promise.all([
    infraStarting,
    buildWorkflowBundle(path.join(dataDir, 'workflow-bundle.js')),
    bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'flows-baseline-workflow.ts'), logger: bundleLogger }),
  ]);
  await migrateDatabase(infra.databaseUrl);

  // Wired as scripts/start.ts wires production: one pool shared by the API and the worker's activities.
  const database = connectDatabase(infra.databaseUrl);
  cleanups.push({ what: 'database pool', run: () => database.close() });
  const secretBox = new SecretBox(randomBytes(32));
  const connection = await Connection.connect({ address: infra.temporalAddress });
  cleanups.push({ what: 'Temporal client connection', run: () => connection.close() });
  const temporal = new Client({ connection, namespace: NAMESPACE });
  const workerConnection = await NativeConnection.connect({ address: infra.temporalAddress });
  cleanups.push({ what: 'worker connection', run: () => workerConnection.close() });

  const runTag = randomBytes(3).toString('hex');
  const taskQueue = `approvals-bench-${runTag}`;
  const worker = await createApprovalWorker({
    connection: workerConnection,
    namespace: NAMESPACE,
    taskQueue,
    workflowBundle: { codePath: bundlePath },
    secretBox,
    db: database.db,
  });
  const workerRun = worker.run();
  workerRun.catch((err: unknown) => log(`approval worker stopped with an error: ${String(err)}`));
  cleanups.push({ what: 'approval worker', run: () => stopWorker(worker, workerRun) });
  const api = await startApiServer({ db: database.db, temporal, secretBox, config: { temporalNamespace: NAMESPACE, taskQueue } }, 0, '127.0.0.1');
  cleanups.push({ what: 'API server', run: () => api.close() });

  const appKey = `bench-erp-${runTag}`;
  const secret = randomBytes(16).toString('hex');
  await upsertApp(database.db, secretBox, { key: appKey, name: 'Bench ERP', secret, permissions: ['start', 'act_for', 'sync', 'admin'] });
  const client = createSignedClient({ baseUrl: api.url, appKey, secret });
  const users = [
    { id: INITIATOR, name: '申请人', deptIds: [] },
    ...CHAIN.map((step) => ({ id: step.userId, name: step.name.replace(/审批$/, ''), deptIds: [] })),
  ];
  expectStatus(await client.request('POST', '/api/v1/sync/users', { mode: 'incremental', users }), 200, 'sync users');
  const saved = await client.request('POST', '/api/v1/definitions', purchaseOrderFlow);
  if (saved.status !== 200 && saved.status !== 201) throw new Error(`saving the flow failed: HTTP ${saved.status} ${JSON.stringify(saved.body)}`);
  const published = await client.request('POST', `/api/v1/definitions/${FLOW_CODE}/publish`);
  if (published.status !== 200 && published.status !== 201)
    throw new Error(`publishing the flow failed: HTTP ${published.status} ${JSON.stringify(published.body)}`);
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  log(`stack ready in ${setupSeconds.toFixed(1)} s (API ${api.url}, Temporal ${infra.temporalAddress})`);

  const ours = await runPhase('approval service', approvalFlow(client, runTag), temporal);
  if (interrupted) return;

  const baselineQueue = `bench-baseline-${runTag}`;
  const baselineWorker = await Worker.create({ connection: workerConnection, namespace: NAMESPACE, taskQueue: baselineQueue, workflowBundle: baselineBundle });
  const baselineRun = baselineWorker.run();
  baselineRun.catch((err: unknown) => log(`baseline worker stopped with an error: ${String(err)}`));
  cleanups.push({ what: 'baseline worker', run: () => stopWorker(baselineWorker, baselineRun) });
  const base = await runPhase('raw Temporal', baselineFlow(temporal, baselineQueue, runTag), temporal);
  if (interrupted) return;

  process.stdout.write(`${report(ours, base, { seconds: setupSeconds, durability: config.embeddedDurability })}\n`);
  if (ours.errors.length + base.errors.length > 0) process.exitCode = 1;
}

async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    log(`${signal}: stopping …`);
    void cleanUp().then(() => process.exit(130));
  });
}

const began = performance.now();
main()
  .catch((err: unknown) => {
    if (interrupted) return;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
    log(`total ${((performance.now() - began) / 1000).toFixed(1)} s`);
  });
