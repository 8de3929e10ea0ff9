import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { createSignedClient, type SignedClient, type SignedResponse } from '../client/signed-client';
import type { FlowDefinition } from '../engine/dsl';
import type { InstanceView } from '../engine/instance-view';
import { baselineUpdate, type baselineWorkflow } from './flows-baseline-workflow';
import { cpuByPart, cpuDelta, machineBusySeconds, processTable, treeOf, type ProcessCpu } from './process-cpu';
import { startProduct, type ProductProcess } from './product-process';

/**
 * SPEC §10 throughput / latency bench: `npm run bench:flows [-- --quick]`.
 *
 * Runs the product as `npm start` runs it (bench/product-process.ts: a child process with its
 * embedded PostgreSQL and Temporal dev server at their durable settings, the worker, the API, the
 * sandboxes) and drives it from this process over signed HTTP, BENCH_CONCURRENCY flows in flight:
 *
 * - plain: BENCH_FLOWS flows of start, then each approver of a manager → finance → CFO chain
 *   approves (waiting for a task only when the last answer did not show it);
 * - mixed: the same number of flows where one in ten is rejected by finance and one in ten is
 *   transferred by the manager to a deputy who approves, and every write is followed by ten reads
 *   of the next assignee's todo list (10:1 reads to writes);
 * - raw Temporal: against the same Temporal server, a no-logic workflow taking the same number of
 *   updates, its worker in a process of its own (bench/baseline-worker.ts).
 *
 * CPU is read from /proc over each measured phase: for ours, the whole `npm start` tree (API and
 * worker, Temporal, PostgreSQL); for raw Temporal, its worker, Temporal and PostgreSQL. The bench's
 * own HTTP client is counted apart. Progress goes to stderr, the report to stdout; its last lines
 * are `ratio_vs_raw_temporal_throughput`, `ratio_vs_raw_temporal_p99`, `approves_per_s` and
 * `cpu_ms_per_flow`.
 *
 * `--quick`: 60 flows per phase, 5 warm-up, history of 5 instances (within a minute on 2 cores).
 * Env: BENCH_FLOWS (200), BENCH_CONCURRENCY (20), BENCH_WARMUP (10 flows per phase, not counted),
 * BENCH_HISTORY_SAMPLE (10 instances per phase), BENCH_POLL_MS (20), BENCH_PHASES (plain,mixed,raw),
 * BENCH_BEFORE_DIR (another checkout, e.g. an older commit with its node_modules: its npm start runs
 * the plain profile first, in a column of its own, for a before/after table from one run).
 */

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.argv.includes('--quick');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

const FLOWS = intEnv('BENCH_FLOWS', QUICK ? 60 : 200, 1);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 20, 1);
const WARMUP = intEnv('BENCH_WARMUP', QUICK ? 5 : 10, 0);
const HISTORY_SAMPLE = intEnv('BENCH_HISTORY_SAMPLE', QUICK ? 5 : 10, 1);
const POLL_MS = intEnv('BENCH_POLL_MS', 20, 1);
const PHASES = new Set((process.env.BENCH_PHASES || 'plain,mixed,raw').split(',').map((p) => p.trim()));
for (const phase of PHASES) if (!['plain', 'mixed', 'raw'].includes(phase)) throw new Error(`BENCH_PHASES: unknown phase "${phase}" (plain, mixed, raw)`);
/** Give up on one HTTP call / update / poll loop after this long (a hung flow is an error, not a stall). */
const CALL_TIMEOUT_MS = 60_000;
/** Stop dispatching new flows once this many have failed. */
const MAX_ERRORS = 10;
/** Todo-list reads after each write in the mixed profile. */
const READS_PER_WRITE = 10;

const FLOW_CODE = 'bench_purchase_order';
const INITIATOR = 'u_bench_requester';
/** The approval chain: one `users` approver per node, in order. */
const CHAIN = [
  { nodeId: 'manager', name: '部门经理审批', userId: 'u_bench_manager' },
  { nodeId: 'finance', name: '财务审批', userId: 'u_bench_finance' },
  { nodeId: 'cfo', name: 'CFO 审批', userId: 'u_bench_cfo' },
] as const;
/** Who the manager hands a mixed-profile flow to. */
const DEPUTY = 'u_bench_deputy';
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
// One measured phase

interface FlowSample {
  workflowId: string;
  startMs: number;
  /** Approves (and the raw side's updates), timed. */
  actionMs: number[];
  /** Other writes of the mixed profile: transfers and rejects. */
  otherWriteMs: number[];
  readMs: number[];
  polls: number;
}

/** CPU seconds so far of each part of the stack a phase runs on. */
type StackCpu = () => Map<string, number>;

interface PhaseResult {
  label: string;
  flows: number;
  wallMs: number;
  startMs: number[];
  actionMs: number[];
  otherWriteMs: number[];
  readMs: number[];
  pollsPerFlow: number;
  historyAvg: number;
  historyMax: number;
  historyTypes: string;
  /** CPU seconds of the stack by part over the measured phase. */
  stackCpu: Map<string, number>;
  benchClientCpuSeconds: number;
  /** Busy CPU seconds of the machine outside the stack and the bench (another load shares the cores). */
  othersCpuSeconds: number | undefined;
  errors: string[];
}

async function runPhase(label: string, flow: (tag: string, index: number) => Promise<FlowSample>, temporal: Client, stackCpu: StackCpu): Promise<PhaseResult> {
  if (WARMUP > 0) {
    log(`${label}: warm-up, ${WARMUP} flows`);
    const warm = await runPool(WARMUP, Math.min(CONCURRENCY, WARMUP), (i) => flow('warm', i));
    if (warm.errors.length > 0) throw new Error(`${label} warm-up failed:\n  ${warm.errors.join('\n  ')}`);
  }
  log(`${label}: ${FLOWS} flows, concurrency ${CONCURRENCY}`);
  const began = { wallMs: performance.now(), stack: stackCpu(), client: process.cpuUsage(), machine: machineBusySeconds() };
  const progress = setInterval(() => log(`${label}: … ${((performance.now() - began.wallMs) / 1000).toFixed(0)} s`), 10_000);
  const run = await runPool(FLOWS, CONCURRENCY, (i) => flow('run', i)).finally(() => clearInterval(progress));
  const wallMs = performance.now() - began.wallMs;
  const stack = cpuDelta(began.stack, stackCpu());
  const client = process.cpuUsage(began.client);
  const machine = machineBusySeconds();
  if (interrupted) throw new Error('interrupted');
  log(`${label}: done in ${(wallMs / 1000).toFixed(1)} s, ${run.errors.length} errors`);

  const benchClientCpuSeconds = (client.user + client.system) / 1e6;
  const stackSeconds = [...stack.values()].reduce((a, b) => a + b, 0);
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
    otherWriteMs: sorted(run.results.flatMap((r) => r.otherWriteMs)),
    readMs: sorted(run.results.flatMap((r) => r.readMs)),
    pollsPerFlow: run.results.reduce((sum, r) => sum + r.polls, 0) / Math.max(1, run.results.length),
    ...history,
    stackCpu: stack,
    benchClientCpuSeconds,
    othersCpuSeconds:
      machine === undefined || began.machine === undefined ? undefined : Math.max(0, machine - began.machine - stackSeconds - benchClientCpuSeconds),
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
// The kinds of flow

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

/** What one flow of the plain or mixed profile does at each step of the chain. */
type StepPlan = 'approve' | 'transfer_then_approve' | 'reject';

/** The mixed profile's plan of flow `index`: one in ten rejected by finance, one in ten transferred by the manager. */
function mixedPlan(index: number): StepPlan[] {
  if (index % 10 === 3) return ['approve', 'reject', 'approve'];
  if (index % 10 === 7) return ['transfer_then_approve', 'approve', 'approve'];
  return ['approve', 'approve', 'approve'];
}

/**
 * One approval flow over HTTP: start, then each step of the chain as planned, waiting for a task
 * only when the last answer did not show it. With `readsPerWrite`, every write is followed by that
 * many reads of the next assignee's todo list.
 */
function approvalFlow(api: SignedClient, runTag: string, options: { plan: (index: number) => StepPlan[]; readsPerWrite: number }) {
  return async (tag: string, index: number): Promise<FlowSample> => {
    const businessKey = `PO-${runTag}-${tag}-${index}`;
    const sample: Omit<FlowSample, 'workflowId' | 'startMs'> = { actionMs: [], otherWriteMs: [], readMs: [], polls: 0 };
    const timed = async <T>(into: number[], call: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const result = await call();
      into.push(performance.now() - t0);
      return result;
    };
    const readTodos = async (assigneeId: string) => {
      for (let r = 0; r < options.readsPerWrite; r++) {
        const query = `?assignee=${encodeURIComponent(assigneeId)}&status=pending&limit=20`;
        const page = await timed(sample.readMs, () => withTimeout(api.request('GET', `/api/v1/tasks${query}`), `todo list of ${assigneeId}`));
        expectStatus(page, 200, `todo list of ${assigneeId}`);
      }
    };
    const body = {
      flowCode: FLOW_CODE,
      businessKey,
      initiatorId: INITIATOR,
      form: { amount: 12_800 + index, title: `办公设备采购 #${index}` },
      source: { system: 'erp', type: 'purchase.order', id: businessKey },
    };
    const startTimes: number[] = [];
    const started = expectStatus(
      await timed(startTimes, () => withTimeout(api.request<{ instanceId: string }>('POST', '/api/v1/instances', body), `start ${businessKey}`)),
      201,
      `start ${businessKey}`,
    );
    const { instanceId } = started;
    await readTodos(CHAIN[0].userId);
    let view: InstanceView | undefined;
    const act = async (into: number[], actorId: string, action: Record<string, unknown>, what: string) => {
      let taskId = pendingTaskOf(view, actorId);
      const deadline = Date.now() + CALL_TIMEOUT_MS;
      while (taskId === undefined) {
        if (Date.now() > deadline) throw new Error(`${instanceId}: no pending task for ${actorId}; last view ${JSON.stringify(view)}`);
        if (sample.polls > 0 || view !== undefined) await sleep(POLL_MS);
        sample.polls++;
        const polled = await withTimeout(api.request<InstanceView>('GET', instancePath(instanceId)), `view ${instanceId}`);
        // 404 until the first workflow task has run and the instance is projected or queryable.
        if (polled.status === 200) view = polled.body;
        taskId = pendingTaskOf(polled.status === 200 ? polled.body : undefined, actorId);
      }
      const answered = await timed(into, () =>
        withTimeout(
          api.request<InstanceView>('POST', `${instancePath(instanceId)}/actions`, {
            ...action,
            actionId: `act-${runTag}-${tag}-${index}-${what}`,
            actorId,
            taskId,
          }),
          `${String(action.type)} ${instanceId} ${what}`,
        ),
      );
      view = expectStatus(answered, 200, `${String(action.type)} ${instanceId} ${what}`);
    };
    const plan = options.plan(index);
    let expected: 'approved' | 'rejected' = 'approved';
    for (const [i, step] of CHAIN.entries()) {
      const next = CHAIN[i + 1]?.userId;
      if (plan[i] === 'reject') {
        await act(sample.otherWriteMs, step.userId, { type: 'reject', comment: '预算不足' }, step.nodeId);
        expected = 'rejected';
        await readTodos(step.userId);
        break;
      }
      if (plan[i] === 'transfer_then_approve') {
        await act(sample.otherWriteMs, step.userId, { type: 'transfer', toUserId: DEPUTY, comment: '请代为审批' }, `${step.nodeId}-transfer`);
        await readTodos(DEPUTY);
        await act(sample.actionMs, DEPUTY, { type: 'approve', comment: '同意' }, step.nodeId);
      } else {
        await act(sample.actionMs, step.userId, { type: 'approve', comment: '同意' }, step.nodeId);
      }
      await readTodos(next ?? step.userId);
    }
    if (view?.status !== expected) throw new Error(`${instanceId} ended ${view?.status}, expected ${expected}`);
    return { workflowId: instanceId, startMs: startTimes[0]!, ...sample };
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
    return { workflowId, startMs, actionMs, otherWriteMs: [], readMs: [], polls: 0 };
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (value: number | undefined, digits = 1) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const ratioOf = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0 ? undefined : a / b;
const perSecond = (r: PhaseResult | undefined, count: (r: PhaseResult) => number) => (r ? count(r) / (r.wallMs / 1000) : undefined);
const flowsPerSec = (r: PhaseResult | undefined) => perSecond(r, (p) => p.flows);
const approvesPerSec = (r: PhaseResult | undefined) => perSecond(r, (p) => p.actionMs.length);
const writesPerSec = (r: PhaseResult | undefined) => perSecond(r, (p) => p.flows + p.actionMs.length + p.otherWriteMs.length);
const readsPerSec = (r: PhaseResult | undefined) => perSecond(r, (p) => p.readMs.length);
const stackSeconds = (r: PhaseResult) => [...r.stackCpu.values()].reduce((a, b) => a + b, 0);
const cpuMsPerFlow = (r: PhaseResult | undefined) => (r && r.flows > 0 ? (stackSeconds(r) * 1000) / r.flows : undefined);
const pct = (r: PhaseResult | undefined, seconds: number | undefined) =>
  r === undefined || seconds === undefined ? undefined : (seconds * 1000 * 100) / r.wallMs;
const p = (values: number[] | undefined, q: number) => (values && values.length > 0 ? percentile(values, q) : undefined);

type Phases = { before?: PhaseResult; plain?: PhaseResult; mixed?: PhaseResult; raw?: PhaseResult };

function report(phases: Phases, setup: { seconds: number }): string {
  const { before, plain, mixed, raw } = phases;
  const columns: Array<[string, string, PhaseResult | undefined]> = [
    ['before', '(BENCH_BEFORE_DIR)', before],
    ['approval service', '(plain)', plain],
    ['approval service', '(mixed)', mixed],
    ['raw Temporal', '(client)', raw],
  ];
  const shown = columns.filter(([, , r]) => r !== undefined);
  const parts = [...new Set(shown.flatMap(([, , r]) => [...r!.stackCpu.keys()]))].sort();
  type Row = [label: string, value: (r: PhaseResult) => number | undefined, digits: number];
  const rows: Row[] = [
    ['flows/s', flowsPerSec, 2],
    ['approves/s (raw: updates/s)', approvesPerSec, 1],
    ['writes/s (starts + actions)', writesPerSec, 1],
    ['todo reads/s', readsPerSec, 1],
    ['wall time, s', (r) => r.wallMs / 1000, 1],
    ['start p50, ms', (r) => p(r.startMs, 50), 1],
    ['start p99, ms', (r) => p(r.startMs, 99), 1],
    ['approve p50, ms', (r) => p(r.actionMs, 50), 1],
    ['approve p95, ms', (r) => p(r.actionMs, 95), 1],
    ['approve p99, ms', (r) => p(r.actionMs, 99), 1],
    ['transfer/reject p50, ms', (r) => p(r.otherWriteMs, 50), 1],
    ['transfer/reject p99, ms', (r) => p(r.otherWriteMs, 99), 1],
    ['todo read p50, ms', (r) => p(r.readMs, 50), 1],
    ['todo read p99, ms', (r) => p(r.readMs, 99), 1],
    ['history events/instance avg', (r) => r.historyAvg, 1],
    ['history events/instance max', (r) => r.historyMax, 0],
    ['view polls per flow', (r) => r.pollsPerFlow, 2],
    ['CPU ms per flow, whole stack', cpuMsPerFlow, 1],
    ...parts.map((part): Row => [`  of which ${part}, ms`, (r) => (r.stackCpu.has(part) ? (r.stackCpu.get(part)! * 1000) / r.flows : undefined), 1]),
    ['stack CPU, % of 1 core', (r) => pct(r, stackSeconds(r)), 0],
    ['bench client CPU, % of 1 core', (r) => pct(r, r.benchClientCpuSeconds), 0],
    ['other processes CPU, % of 1 core', (r) => pct(r, r.othersCpuSeconds), 0],
    ['flows completed', (r) => r.flows, 0],
    ['errors', (r) => r.errors.length, 0],
  ];
  const width = [36, 20];
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(width[0]!) : cell.padStart(width[1]!))).join('');
  const out: string[] = [];
  out.push('');
  out.push(
    `SPEC §10 flows bench — ${FLOWS} flows per phase (start, manager → finance → CFO), concurrency ${CONCURRENCY}, warm-up ${WARMUP} per phase ` +
      `(not counted), ${os.cpus().length} CPUs, the product as npm start runs it (${process.env.EMBEDDED_DURABILITY === 'fast' ? 'fast embedded servers: fsync off, asked by EMBEDDED_DURABILITY' : 'durable embedded servers'}, request logs to a file), setup ${setup.seconds.toFixed(1)} s`,
  );
  out.push('');
  out.push(line(['', ...shown.map(([name]) => name)]));
  out.push(line(['', ...shown.map(([, sub]) => sub)]));
  for (const [label, value, digits] of rows) {
    const cells = shown.map(([, , r]) => fmt(value(r!), digits));
    if (cells.every((c) => c === '—')) continue;
    out.push(line([label, ...cells]));
  }
  out.push('');
  out.push('notes:');
  out.push('  start = POST /api/v1/instances vs client.workflow.start; approve = POST …/actions {approve} vs handle.executeUpdate.');
  out.push('  Only requests are timed, not the polling for a pending task; rates are over the whole measured phase.');
  out.push('  Whole stack: ours = the npm start process tree (API + worker + sandboxes in one Node process, Temporal, PostgreSQL);');
  out.push('  raw = its worker process, Temporal, PostgreSQL. The bench client (this process) is not in it.');
  out.push(`  mixed: 1 in 10 flows rejected by finance, 1 in 10 transferred by the manager; ${READS_PER_WRITE} todo-list reads after each write.`);
  out.push('  "other processes": busy CPU of the machine outside stack and bench; well above 0, the run shared its CPUs.');
  for (const [name, sub, r] of shown) out.push(`  ${name} ${sub}, one instance: ${r!.historyTypes}`);
  for (const [name, sub, r] of shown) for (const error of r!.errors) out.push(`  ERROR (${name} ${sub}) ${error}`);
  out.push('');
  const ours = plain ?? mixed;
  out.push(`ratio_vs_raw_temporal_throughput ${fmt(ratioOf(flowsPerSec(ours), flowsPerSec(raw)), 2)}`);
  out.push(`ratio_vs_raw_temporal_p99 ${fmt(ratioOf(p(ours?.actionMs, 99), p(raw?.actionMs, 99)), 2)}`);
  out.push(`approves_per_s ${fmt(approvesPerSec(ours), 1)}`);
  out.push(
    `cpu_ms_per_flow ${fmt(cpuMsPerFlow(ours), 1)} (raw Temporal ${fmt(cpuMsPerFlow(raw), 1)}; mixed ${fmt(cpuMsPerFlow(mixed), 1)}` +
      `${before ? `; before ${fmt(cpuMsPerFlow(before), 1)}` : ''})`,
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
        await withTimeout(step.run(), `stopping ${step.what}`, 90_000);
      } catch (err) {
        log(`stopping ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return cleaningUp;
}

/** The parts of the npm start tree a phase counts: `node` is the product's API and worker process (and its sandboxes). */
function productPart(row: ProcessCpu): string {
  if (row.comm === 'postgres') return 'PostgreSQL';
  if (row.comm.startsWith('temporal')) return 'Temporal';
  if (row.comm === 'node' || row.comm.startsWith('node')) return 'API + worker';
  return 'other';
}

async function startBaselineWorker(product: ProductProcess, taskQueue: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'baseline-worker.ts'), product.temporalAddress, product.namespace, taskQueue],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
    });
    child.once('exit', (code) => reject(new Error(`the baseline worker exited (${code}) before it was ready`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

interface RunningProduct {
  product: ProductProcess;
  temporal: Client;
  client: SignedClient;
  cpu: StackCpu;
  stop(): Promise<void>;
}

/** npm start of `root` (this checkout unless given), with the bench's users and its published flow. */
async function setUpProduct(dataDir: string, root?: string): Promise<RunningProduct> {
  const product = await startProduct({ dataDir, toolsDir: process.env.TOOLS_DIR || path.join(ROOT, '.tools'), log, ...(root ? { root } : {}) });
  const stopProduct = { what: `npm start (${root ?? 'this checkout'})`, run: () => product.stop() };
  cleanups.push(stopProduct);
  const connection = await Connection.connect({ address: product.temporalAddress });
  const closeConnection = { what: 'Temporal client connection', run: () => connection.close() };
  cleanups.push(closeConnection);
  const temporal = new Client({ connection, namespace: product.namespace });
  const client = createSignedClient({ baseUrl: product.apiUrl, appKey: product.app.key, secret: product.app.secret });
  const users = [
    { id: INITIATOR, name: '申请人', deptIds: [] },
    { id: DEPUTY, name: '经理代理人', deptIds: [] },
    ...CHAIN.map((step) => ({ id: step.userId, name: step.name.replace(/审批$/, ''), deptIds: [] })),
  ];
  expectStatus(await client.request('POST', '/api/v1/sync/users', { mode: 'incremental', users }), 200, 'sync users');
  const saved = await client.request('POST', '/api/v1/definitions', purchaseOrderFlow);
  if (saved.status !== 200 && saved.status !== 201) throw new Error(`saving the flow failed: HTTP ${saved.status} ${JSON.stringify(saved.body)}`);
  const published = await client.request('POST', `/api/v1/definitions/${FLOW_CODE}/publish`);
  if (published.status !== 200 && published.status !== 201)
    throw new Error(`publishing the flow failed: HTTP ${published.status} ${JSON.stringify(published.body)}`);
  return {
    product,
    temporal,
    client,
    cpu: () => cpuByPart(treeOf(processTable(), product.pid), productPart),
    async stop() {
      for (const step of [closeConnection, stopProduct]) {
        await step.run();
        cleanups.splice(cleanups.indexOf(step), 1);
      }
    },
  };
}

async function main(): Promise<void> {
  const setupStarted = performance.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'approvals-bench-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the `postgres` user when we are root
  cleanups.push({ what: 'data dir', run: async () => rmSync(dataDir, { recursive: true, force: true }) });
  const runTag = randomBytes(3).toString('hex');
  const plainFlow = (stack: RunningProduct, tag: string) =>
    approvalFlow(stack.client, `${runTag}${tag}`, { plan: () => ['approve', 'approve', 'approve'], readsPerWrite: 0 });
  const phases: Phases = {};

  const beforeDir = process.env.BENCH_BEFORE_DIR;
  if (beforeDir) {
    log(`before: the plain profile on npm start of ${beforeDir}`);
    const before = await setUpProduct(dataDir, path.resolve(beforeDir));
    phases.before = await runPhase('before (plain)', plainFlow(before, 'b'), before.temporal, before.cpu);
    await before.stop();
  }
  if (interrupted) return;

  log(`starting the product as npm start does (data ${dataDir}) …`);
  const stack = await setUpProduct(dataDir);
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  log(`stack ready in ${setupSeconds.toFixed(1)} s`);
  if (PHASES.has('plain')) phases.plain = await runPhase('plain', plainFlow(stack, 'p'), stack.temporal, stack.cpu);
  if (PHASES.has('mixed') && !interrupted) {
    phases.mixed = await runPhase(
      'mixed',
      approvalFlow(stack.client, `${runTag}m`, { plan: mixedPlan, readsPerWrite: READS_PER_WRITE }),
      stack.temporal,
      stack.cpu,
    );
  }
  if (PHASES.has('raw') && !interrupted) {
    const { product } = stack;
    const taskQueue = `bench-baseline-${runTag}`;
    const baseline = await startBaselineWorker(product, taskQueue);
    cleanups.push({ what: 'baseline worker', run: () => baseline.stop() });
    // Temporal and PostgreSQL of the product's tree, and the baseline worker; the product's own process idles.
    const rawCpu: StackCpu = () => {
      const table = processTable();
      const servers = cpuByPart(treeOf(table, product.pid), (row) => (productPart(row) === 'API + worker' ? undefined : productPart(row)));
      return new Map([...servers, ['baseline worker', treeOf(table, baseline.child.pid!).reduce((sum, row) => sum + row.seconds, 0)]]);
    };
    phases.raw = await runPhase('raw Temporal', baselineFlow(stack.temporal, taskQueue, runTag), stack.temporal, rawCpu);
  }
  if (interrupted) return;
  process.stdout.write(`${report(phases, { seconds: setupSeconds })}\n`);
  if (Object.values(phases).some((r) => r.errors.length > 0)) process.exitCode = 1;
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
