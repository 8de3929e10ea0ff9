import { randomBytes } from 'node:crypto';
import type { SignedClient } from '../../client/signed-client';
import { DEMO_ERP_SYSTEM, demoFlow, demoUsers } from '../../db/seed-demo';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { freePort } from '../../runtime/free-port';

/**
 * Demo traffic for the dashboard, over the signed API as the demo ERP drives it: purchase requests
 * (the demo flow; some rejected by the CFO, so the saga releases the budget), expense claims and
 * contracts (two small flows published here if absent), a few left pending, repeated starts,
 * refused actions, a start of an unknown flow, a few webhooks to a receiver that is gone (retried
 * for hours) and a few to one that refuses them with a 404 (final: they end as dead letters). A third of the decisions are clicks on the approver's card in the
 * DingTalk sandbox, as a person in DingTalk would press 同意 / 拒绝.
 */

const form = demoFlow.form;

const EXTRA_FLOWS: FlowDefinition[] = [
  {
    code: 'demo_expense',
    name: '费用报销',
    form,
    nodes: [
      { id: 'start', type: 'start', next: 'manager' },
      { id: 'manager', type: 'approval', name: '直属主管', approvers: { type: 'manager', levels: 1 }, mode: 'any', next: 'finance' },
      { id: 'finance', type: 'approval', name: '财务', approvers: { type: 'users', ids: ['u_wangwu'] }, mode: 'any', next: 'end' },
      { id: 'end', type: 'end' },
    ],
  },
  {
    code: 'demo_contract',
    name: '合同审批',
    form,
    nodes: [
      { id: 'start', type: 'start', next: 'ceo' },
      { id: 'ceo', type: 'approval', name: '总经理', approvers: { type: 'users', ids: ['u_zhaoliu'] }, mode: 'any', next: 'end' },
      { id: 'end', type: 'end' },
    ],
  },
];

interface Scenario {
  flowCode: string;
  initiatorId: string;
  amount: number;
  /** The node whose approver rejects; none: everyone approves. */
  rejectAt?: string;
  /** Started and left for the approver (pending approvals). */
  leavePending?: boolean;
  /** Someone who is not an approver tries to approve first (a refusal). */
  refusedActor?: string;
}

export interface LoadReport {
  started: number;
  cardClicks: number;
  approved: number;
  rejected: number;
  leftPending: number;
  refused: number;
  failed: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const chance = (p: number) => Math.random() < p;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Amounts stay small: the ERP sandbox's budget (¥1,000,000) must last the run, or reservations start failing. */
function nextScenario(): Scenario {
  const refusedActor = chance(0.25) ? 'u_zhaoliu' : undefined;
  return pick<Scenario>([
    { flowCode: demoFlow.code, initiatorId: 'u_zhangsan', amount: 100 + Math.round(Math.random() * 1_100), ...(refusedActor ? { refusedActor } : {}) },
    { flowCode: demoFlow.code, initiatorId: 'u_zhangsan', amount: 100 + Math.round(Math.random() * 1_100) },
    { flowCode: demoFlow.code, initiatorId: 'u_zhangsan', amount: 10_100 + Math.round(Math.random() * 300), ...(refusedActor ? { refusedActor } : {}) },
    { flowCode: demoFlow.code, initiatorId: 'u_zhangsan', amount: 12_000, rejectAt: 'cfo' },
    { flowCode: 'demo_expense', initiatorId: 'u_zhangsan', amount: 300 + Math.round(Math.random() * 3_000) },
    { flowCode: 'demo_expense', initiatorId: 'u_zhangsan', amount: 300 + Math.round(Math.random() * 3_000), ...(refusedActor ? { refusedActor } : {}) },
    { flowCode: 'demo_expense', initiatorId: 'u_zhangsan', amount: 800, rejectAt: 'finance' },
    { flowCode: 'demo_contract', initiatorId: 'u_lisi', amount: 50_000, leavePending: true },
    { flowCode: 'demo_contract', initiatorId: 'u_lisi', amount: 50_000, refusedActor: 'u_zhangsan' },
  ]);
}

async function ensureFlows(api: SignedClient): Promise<void> {
  for (const flow of EXTRA_FLOWS) {
    const existing = await api.request('GET', `/api/v1/definitions/${flow.code}`);
    if (existing.status === 200) continue;
    const saved = await api.request('POST', '/api/v1/definitions', flow);
    const published = await api.request('POST', `/api/v1/definitions/${flow.code}/publish`);
    if (saved.status >= 300 || published.status >= 300) throw new Error(`publishing ${flow.code}: ${JSON.stringify([saved.body, published.body])}`);
  }
}

/** One instance from start to its end (or its first task, when it is left pending). */
const dingtalkUserOf = new Map<string, string>(demoUsers.map((u) => [u.id, u.dingtalkUserId]));

/** The button on the approver's card in the DingTalk sandbox; false when the card is not there (yet). */
async function clickCard(dingtalkUrl: string, instanceId: string, taskId: string, assigneeId: string, action: 'approve' | 'reject'): Promise<boolean> {
  const userId = dingtalkUserOf.get(assigneeId);
  if (!userId) return false;
  const response = await fetch(`${dingtalkUrl}/_sandbox/click`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outTrackId: outTrackIdOf(instanceId, taskId), userId, action }),
  });
  return response.ok;
}

async function runOne(api: SignedClient, dingtalkUrl: string, scenario: Scenario, callbackUrl: string, report: LoadReport): Promise<void> {
  const businessKey = `DASH-${randomBytes(5).toString('hex')}`;
  const body = {
    flowCode: scenario.flowCode,
    businessKey,
    initiatorId: scenario.initiatorId,
    form: { title: '仪表盘演示', amount: scenario.amount },
    source: { system: DEMO_ERP_SYSTEM, type: 'purchase_request', id: businessKey },
    callbackUrl,
  };
  const started = await api.request<{ instanceId: string }>('POST', '/api/v1/instances', body);
  if (started.status !== 201) {
    report.failed += 1;
    return;
  }
  report.started += 1;
  // An ERP retrying its request: the same instance again.
  if (chance(0.2)) await api.request('POST', '/api/v1/instances', body);
  const path = `/api/v1/instances/${encodeURIComponent(started.body.instanceId)}`;
  let refusedOnce = scenario.refusedActor === undefined;
  for (let polls = 0; polls < 300; polls++) {
    const view = (await api.request<InstanceView>('GET', path)).body;
    if (view.status === 'approved') report.approved += 1;
    if (view.status === 'rejected') report.rejected += 1;
    if (view.status !== 'running' && view.status !== 'compensating') return;
    const task = view.tasks.find((t) => t.status === 'pending');
    if (!task) {
      await sleep(150);
      continue;
    }
    if (scenario.leavePending) {
      report.leftPending += 1;
      return;
    }
    if (!refusedOnce) {
      refusedOnce = true;
      const refused = await api.request('POST', `${path}/actions`, {
        type: 'approve',
        actionId: `dash-${randomBytes(6).toString('hex')}`,
        actorId: scenario.refusedActor,
      });
      if (refused.status >= 400 && refused.status < 500) report.refused += 1;
    }
    // A person takes a moment to decide.
    await sleep(200 + Math.random() * 600);
    const type = task.nodeId === scenario.rejectAt ? 'reject' : 'approve';
    if (chance(0.33) && (await clickCard(dingtalkUrl, started.body.instanceId, task.taskId, task.assigneeId, type))) {
      report.cardClicks += 1;
      continue;
    }
    await api.request('POST', `${path}/actions`, {
      type,
      actionId: `dash-${businessKey}-${task.taskId}`,
      actorId: task.assigneeId,
      taskId: task.taskId,
      comment: type === 'approve' ? '同意' : '预算不足',
    });
  }
}

/** Runs `concurrency` ERP clients for `seconds`; a few instances call back to a receiver that is gone, a few to one that answers 404. */
export async function driveDemoLoad(
  api: SignedClient,
  options: { seconds: number; concurrency: number; erpUrl: string; dingtalkUrl: string; log: (line: string) => void },
): Promise<LoadReport> {
  await ensureFlows(api);
  const report: LoadReport = { started: 0, cardClicks: 0, approved: 0, rejected: 0, leftPending: 0, refused: 0, failed: 0 };
  const badReceivers = [`http://127.0.0.1:${await freePort()}/webhooks/approval`, `${options.erpUrl}/no-such-receiver`];
  const deadline = Date.now() + options.seconds * 1000;
  let badCallbacksLeft = 6;
  let unknownFlowStarts = 0;
  const progress = setInterval(() => options.log(`load: ${JSON.stringify(report)}`), 30_000);
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (Date.now() < deadline) {
          const bad = badCallbacksLeft > 0 && chance(0.2);
          if (bad) badCallbacksLeft -= 1;
          const callbackUrl = bad ? badReceivers[badCallbacksLeft % 2]! : `${options.erpUrl}/webhooks/approval`;
          await runOne(api, options.dingtalkUrl, nextScenario(), callbackUrl, report).catch((err: unknown) => {
            report.failed += 1;
            options.log(`load: ${err instanceof Error ? err.message : String(err)}`);
          });
          if (unknownFlowStarts < 5 && chance(0.05)) {
            unknownFlowStarts += 1;
            await api.request('POST', '/api/v1/instances', {
              flowCode: 'no_such_flow',
              businessKey: `DASH-${randomBytes(4).toString('hex')}`,
              initiatorId: 'u_zhangsan',
              form: { title: 'x', amount: 1 },
              source: { system: DEMO_ERP_SYSTEM, type: 'purchase_request', id: 'x' },
            });
          }
          await sleep(100 + Math.random() * 400);
        }
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return report;
}
