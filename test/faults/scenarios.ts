import { randomBytes } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { instances as instanceRows } from '../../db/schema';
import type { InstanceView } from '../../engine/instance-view';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { signedHeaders } from '../../protocol/request-signature';
import { instancePath, pollUntil, uid } from '../support/fixtures';
import { runChainFlows, type ExpectedInstance } from './chain-workload';
import { CALM } from './chaos-proxy';
import { CHAIN_APPROVERS, dingtalkIdOf, INITIATOR, VOTERS, type FaultStack } from './fault-stack';
import { callWithRetry, Traffic } from './traffic';
import { verify, type Verdict } from './verdict';

/** One row of the table: what was run, what was broken, what was found. */
export interface ScenarioRow extends Verdict {
  scenario: string;
  actions: number;
  faults: number;
  /** What the faults were, in words. */
  faultNote: string;
}

export type Scale = 'quick' | 'full';

/** Runs `fault` each time the finished-flow count passes one of `at` (fractions of `flows`). */
function faultsAt(flows: number, at: number[], fault: () => Promise<void>) {
  const marks = at.map((f) => Math.max(1, Math.floor(f * flows)));
  let running: Promise<void> = Promise.resolve();
  return {
    onProgress(done: number) {
      while (marks.length > 0 && done >= marks[0]!) {
        marks.shift();
        running = running.then(fault);
      }
    },
    finished: () => running,
  };
}

async function chainScenario(stack: FaultStack, scenario: string, flows: number, at: number[], fault: () => Promise<void>, faultNote: (n: number) => string) {
  let injected = 0;
  const schedule = faultsAt(flows, at, async () => {
    await fault();
    injected += 1;
  });
  const result = await runChainFlows(stack, { flows, concurrency: 20, rejectEvery: 5, onProgress: (done) => schedule.onProgress(done) });
  await schedule.finished();
  const verdict = await verify(stack, result.instances, { stuck: result.stuck.length, traffic: [result.traffic] });
  for (const s of result.stuck) verdict.problems.push(`${s.businessKey}: not finished: ${s.why}`);
  return { scenario, actions: result.actions, faults: injected, faultNote: faultNote(injected), ...verdict };
}

/** (a) The worker process killed with SIGKILL mid-flight, started again at once. */
export function workerKills(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const flows = scale === 'full' ? 200 : 20;
  const at = scale === 'full' ? [0.1, 0.25, 0.4, 0.55, 0.7] : [0.2, 0.5];
  return chainScenario(
    stack,
    '(a) worker SIGKILL',
    flows,
    at,
    async () => {
      await stack.worker.kill();
      await stack.worker.start();
    },
    (n) => `${n} × SIGKILL of the worker process`,
  );
}

/** (b) The Temporal server killed (SIGKILL) and started again on the same store. */
export function temporalBounces(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const flows = scale === 'full' ? 200 : 20;
  const at = scale === 'full' ? [0.25, 0.6] : [0.4];
  return chainScenario(
    stack,
    '(b) Temporal server SIGKILL + restart',
    flows,
    at,
    () => stack.bounceTemporal(2_000),
    (n) => `${n} × Temporal SIGKILL, 2 s down`,
  );
}

/** (c) PostgreSQL crashed (immediate shutdown) and started again (recovery). */
export function postgresBounces(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const flows = scale === 'full' ? 200 : 20;
  const at = scale === 'full' ? [0.25, 0.6] : [0.4];
  return chainScenario(
    stack,
    '(c) PostgreSQL crash + restart',
    flows,
    at,
    () => stack.bouncePostgres(2_000),
    (n) => `${n} × PostgreSQL immediate stop, 2 s down`,
  );
}

/** (d) ERP, webhook receiver and DingTalk answering 30 % 503 and 20 % after 2 s. */
export async function flakyServices(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const flows = scale === 'full' ? 200 : 20;
  const before = { erp: { ...stack.erpProxy.counts }, dingtalk: { ...stack.dingtalkProxy.counts } };
  for (const proxy of [stack.erpProxy, stack.dingtalkProxy]) Object.assign(proxy.settings, { failRate: 0.3, slowRate: 0.2, slowMs: 2_000 });
  try {
    const result = await runChainFlows(stack, { flows, concurrency: 20, rejectEvery: 5 });
    const verdict = await verify(stack, result.instances, { stuck: result.stuck.length, traffic: [result.traffic], settleMs: 240_000 });
    for (const s of result.stuck) verdict.problems.push(`${s.businessKey}: not finished: ${s.why}`);
    const failed = stack.erpProxy.counts.failed - before.erp.failed + stack.dingtalkProxy.counts.failed - before.dingtalk.failed;
    const slowed = stack.erpProxy.counts.slowed - before.erp.slowed + stack.dingtalkProxy.counts.slowed - before.dingtalk.slowed;
    return {
      scenario: '(d) ERP/webhook/DingTalk 30 % 5xx, 2 s slow',
      actions: result.actions,
      faults: failed + slowed,
      faultNote: `${failed} × 503, ${slowed} × 2 s`,
      ...verdict,
    };
  } finally {
    for (const proxy of [stack.erpProxy, stack.dingtalkProxy]) Object.assign(proxy.settings, CALM);
  }
}

async function startOne(stack: FaultStack, traffic: Traffic, flowCode: string, businessKey = uid('bk')): Promise<string> {
  const started = await callWithRetry<{ instanceId: string }>(stack.api, traffic, 'POST', '/api/v1/instances', {
    flowCode,
    businessKey,
    initiatorId: INITIATOR,
    form: { amount: 500, title: '并发测试' },
    source: { system: 'erp', type: 'purchase.order', id: businessKey },
    callbackUrl: stack.callbackUrl,
  });
  if (started.status !== 201) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  return started.body.instanceId;
}

async function pendingTasks(stack: FaultStack, traffic: Traffic, instanceId: string, count: number): Promise<InstanceView['tasks']> {
  const view = await pollUntil(
    `${count} pending tasks of ${instanceId}`,
    () => callWithRetry<InstanceView>(stack.api, traffic, 'GET', instancePath(instanceId)),
    (answer) => answer.body.tasks.filter((t) => t.status === 'pending').length >= count,
    60_000,
  );
  return view.body.tasks.filter((t) => t.status === 'pending');
}

/** (e) 100 identical approves (one actionId) at once, then 100 identical card clicks at once. */
export async function identicalBursts(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const rounds = scale === 'full' ? 5 : 1;
  const burst = 100;
  const traffic = new Traffic();
  const expected: ExpectedInstance[] = [];
  let accepted = 0;
  const notes: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const businessKey = uid('burst');
    const instanceId = await startOne(stack, traffic, stack.flows.chain, businessKey);
    const [manager] = await pendingTasks(stack, traffic, instanceId, 1);
    const body = { type: 'approve', taskId: manager!.taskId, actorId: CHAIN_APPROVERS[0], actionId: `${businessKey}-burst` };
    const answers = await Promise.all(
      Array.from({ length: burst }, () => callWithRetry(stack.api, traffic, 'POST', `${instancePath(instanceId)}/actions`, body)),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    accepted += ok;
    if (ok !== burst) notes.push(`${burst - ok} of the identical approves answered ${[...new Set(answers.map((a) => a.status))].join('/')}`);
    const [finance] = await pendingTasks(stack, traffic, instanceId, 1);
    const outTrackId = outTrackIdOf(instanceId, finance!.taskId);
    await pollUntil(
      `the card of ${finance!.taskId}`,
      async () => stack.dingtalk.state.cards.has(outTrackId),
      (has) => has,
      60_000,
    );
    const clicks = await Promise.all(
      Array.from({ length: burst }, () =>
        stack.dingtalk.state.click({ outTrackId, userId: dingtalkIdOf(CHAIN_APPROVERS[1]), action: 'approve' }).catch((err: unknown) => err),
      ),
    );
    accepted += clicks.filter((c) => !(c instanceof Error)).length;
    expected.push({ instanceId, businessKey, expected: 'approved', actedTasks: [manager!.taskId, finance!.taskId] });
  }
  const verdict = await verify(stack, expected, { traffic: [traffic] });
  verdict.problems.push(...notes);
  return {
    scenario: '(e) 100 identical actions / card clicks at once',
    actions: accepted,
    faults: rounds * burst * 2,
    faultNote: `${rounds} × (100 approves + 100 clicks)`,
    ...verdict,
  };
}

/** (f) Every voter of a 会签 (all) and a 票签 (3 of 5) node acting at the same moment. */
export async function racingVotes(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const rounds = scale === 'full' ? 10 : 2;
  const traffic = new Traffic();
  const expected: ExpectedInstance[] = [];
  const problems: string[] = [];
  let accepted = 0;
  const race = async (flowCode: string, rejecter: string | undefined) => {
    const businessKey = uid('race');
    const instanceId = await startOne(stack, traffic, flowCode, businessKey);
    const tasks = await pendingTasks(stack, traffic, instanceId, VOTERS.length);
    const answers = await Promise.all(
      tasks.map((t) =>
        callWithRetry(stack.api, traffic, 'POST', `${instancePath(instanceId)}/actions`, {
          type: t.assigneeId === rejecter ? 'reject' : 'approve',
          taskId: t.taskId,
          actorId: t.assigneeId,
          actionId: `${businessKey}-${t.taskId}`,
        }).then((answer) => ({ task: t.taskId, answer })),
      ),
    );
    const acted = answers.filter((a) => a.answer.status === 200).map((a) => a.task);
    const refused = answers.filter((a) => a.answer.status !== 200);
    for (const r of refused) {
      const code = (r.answer.body as { code?: string }).code;
      if (r.answer.status !== 409) problems.push(`${instanceId}: a late vote answered ${r.answer.status} ${code}`);
    }
    accepted += acted.length;
    return { instanceId, businessKey, acted };
  };
  for (let round = 0; round < rounds; round += 1) {
    const all = await race(stack.flows.countersign, undefined);
    expected.push({ instanceId: all.instanceId, businessKey: all.businessKey, expected: 'approved', actedTasks: all.acted });
    if (all.acted.length !== VOTERS.length) problems.push(`${all.instanceId}: 会签 took ${all.acted.length} of ${VOTERS.length} approvals`);
    const vetoed = await race(stack.flows.countersign, VOTERS[2]);
    expected.push({ instanceId: vetoed.instanceId, businessKey: vetoed.businessKey, expected: 'rejected', actedTasks: vetoed.acted });
    const vote = await race(stack.flows.vote, undefined);
    expected.push({ instanceId: vote.instanceId, businessKey: vote.businessKey, expected: 'approved', actedTasks: vote.acted });
    if (vote.acted.length !== 3) problems.push(`${vote.instanceId}: 票签 (3 of 5) took ${vote.acted.length} votes`);
  }
  const verdict = await verify(stack, expected, { traffic: [traffic], budget: false });
  verdict.wrongFinalStates += problems.filter((p) => p.includes('took')).length;
  verdict.problems.push(...problems);
  return {
    scenario: '(f) 会签 / 票签 votes racing on one node',
    actions: accepted,
    faults: rounds * 3,
    faultNote: `${rounds * 3} nodes, 5 voters each at once`,
    ...verdict,
  };
}

/** (g) Forged, stale, replayed and tampered signatures; malformed, oversized and deeply nested bodies. */
export async function hostileRequests(stack: FaultStack, scale: Scale): Promise<ScenarioRow> {
  const perKind = scale === 'full' ? 250 : 25;
  const byKind = new Map<string, Map<number, number>>();
  const keys: string[] = [];
  let internal = 0;
  let acceptedBad = 0;
  const count = (kind: string, status: number) => {
    const m = byKind.get(kind) ?? new Map<number, number>();
    m.set(status, (m.get(status) ?? 0) + 1);
    byKind.set(kind, m);
    if (status >= 500) internal += 1;
    if (status < 400) acceptedBad += 1;
  };
  const send = async (kind: string, path: string, body: string, headers: Record<string, string>) => {
    try {
      const response = await fetch(stack.baseUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
      await response.arrayBuffer();
      count(kind, response.status);
    } catch {
      // A dropped connection is no clear error either: counted with the 5xx.
      count(kind, 599);
    }
  };
  const startBody = () => {
    const businessKey = uid('hostile');
    keys.push(businessKey);
    return JSON.stringify({
      flowCode: stack.flows.chain,
      businessKey,
      initiatorId: INITIATOR,
      form: { amount: 1 },
      source: { system: 'erp', type: 'po', id: businessKey },
    });
  };
  const path = '/api/v1/instances';
  const signed = (body: string, now = Date.now(), secret = stack.app.secret) =>
    signedHeaders({ appKey: stack.app.appKey, secret }, { method: 'POST', path, body }, now);
  const nested = (depth: number) =>
    `{"flowCode":"x","businessKey":"k","initiatorId":"u","form":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}},"source":{"system":"e","type":"t","id":"i"}}`;
  const kinds: Array<[string, () => Promise<void>]> = [
    [
      'forged (wrong secret)',
      () => {
        const body = startBody();
        return send('forged', path, body, signed(body, Date.now(), randomBytes(16).toString('hex')));
      },
    ],
    [
      'stale (10 min old)',
      () => {
        const body = startBody();
        return send('stale', path, body, signed(body, Date.now() - 600_000));
      },
    ],
    ['tampered (body changed after signing)', () => send('tampered', path, startBody(), signed(startBody()))],
    ['unknown app', () => send('unknown app', path, startBody(), { ...signed(startBody()), 'X-App-Key': 'no-such-app' })],
    [
      'replayed (same nonce twice)',
      async () => {
        const body = JSON.stringify({
          flowCode: 'no_such_flow',
          businessKey: uid('replay'),
          initiatorId: INITIATOR,
          form: {},
          source: { system: 'e', type: 't', id: 'i' },
        });
        const headers = signed(body);
        const first = await fetch(stack.baseUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
        await first.arrayBuffer();
        await send('replayed', path, body, headers);
      },
    ],
    ['malformed JSON', () => send('malformed', path, '{"flowCode": "x",', signed('{"flowCode": "x",'))],
    [
      'oversized (2 MiB)',
      () => {
        const body = JSON.stringify({ flowCode: stack.flows.chain, businessKey: uid('big'), form: { blob: 'x'.repeat(2 * 1024 * 1024) } });
        return send('oversized', path, body, signed(body));
      },
    ],
    [
      'deeply nested (50 000 levels)',
      () => {
        const body = nested(50_000);
        return send('nested', path, body, signed(body));
      },
    ],
  ];
  const instancesBefore = await stack.db.db.select({ n: sql<number>`count(*)::int` }).from(instanceRows);
  for (const [, run] of kinds) {
    for (let i = 0; i < perKind; i += 10) await Promise.all(Array.from({ length: Math.min(10, perKind - i) }, run));
  }
  const instancesAfter = await stack.db.db.select({ n: sql<number>`count(*)::int` }).from(instanceRows);
  const written =
    keys.length === 0 ? [] : await stack.db.db.select({ id: instanceRows.instanceId }).from(instanceRows).where(inArray(instanceRows.businessKey, keys));
  // The API still serves a good request afterwards.
  const traffic = new Traffic();
  const good = await startOne(stack, traffic, stack.flows.chain);
  const problems = [...byKind.entries()].map(([kind, statuses]) => `${kind}: ${[...statuses.entries()].map(([s, n]) => `${n}× ${s}`).join(', ')}`);
  const total = [...byKind.values()].reduce((sum, m) => sum + [...m.values()].reduce((a, b) => a + b, 0), 0);
  return {
    scenario: '(g) bad signatures and bodies at volume',
    instances: 0,
    actions: total,
    faults: total,
    faultNote: `${kinds.length} kinds × ${perKind}`,
    wrongFinalStates: acceptedBad,
    lostSideEffects: good ? 0 : 1,
    duplicatedSideEffects: written.length + Math.max(0, instancesAfter[0]!.n - instancesBefore[0]!.n),
    drift: 0,
    orphanTasks: 0,
    internalErrors: internal + (traffic.byStatus.get(500) ?? 0),
    crashes: 0,
    redeliveries: 0,
    undelivered: 0,
    problems,
  };
}

export const SCENARIOS = [workerKills, temporalBounces, postgresBounces, flakyServices, identicalBursts, racingVotes, hostileRequests] as const;
