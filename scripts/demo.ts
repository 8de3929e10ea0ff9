import { createSignedClient } from '../client/signed-client';
import { loadConfig } from '../config';
import { DEMO_APP_KEY, DEMO_ERP_SYSTEM, demoFlow } from '../db/seed-demo';
import type { InstanceView } from '../engine/instance-view';

/**
 * `npm run demo` (with `npm start` running): one purchase request of ¥18,000 from the demo ERP,
 * started and approved by each approver in turn (direct manager, then CFO) until it is approved,
 * over the signed HTTP API as an ERP would drive it. `npm run demo -- --reject`: the CFO rejects,
 * and the budget reserved after the manager's approval is released (the saga).
 * `npm run demo -- --start-only`: start it and stop there, to approve it from the DingTalk sandbox.
 * The ERP sandbox page shows the webhooks, the budget calls and the write-back.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const api = createSignedClient({ baseUrl: process.env.API_URL ?? `http://localhost:${config.port}`, appKey: DEMO_APP_KEY, secret: config.demoErpSecret });
  const erpUrl = process.env.ERP_SANDBOX_URL ?? `http://localhost:${config.erpSandboxPort}`;
  const args = process.argv.slice(2);
  const reject = args.includes('--reject');
  const startOnly = args.includes('--start-only');
  const businessKey = args.find((a) => !a.startsWith('--')) ?? `PR-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const started = await api.request('POST', '/api/v1/instances', {
    flowCode: demoFlow.code,
    businessKey,
    initiatorId: 'u_zhangsan',
    form: { title: '办公电脑 3 台', amount: 18000 },
    source: { system: DEMO_ERP_SYSTEM, type: 'purchase_request', id: businessKey },
    callbackUrl: `${erpUrl}/webhooks/approval`,
  });
  console.log('start →', started.status, JSON.stringify(started.body));
  if (started.status >= 300) process.exit(1);
  const { instanceId } = started.body as { instanceId: string };
  const path = `/api/v1/instances/${encodeURIComponent(instanceId)}`;
  if (startOnly) {
    console.log(`started ${instanceId}: approve it from the DingTalk sandbox, http://127.0.0.1:${config.dingtalkSandboxPort}/ (李四 has the card)`);
    return;
  }

  // Approve every task as it appears (the direct manager, then the CFO above ¥10,000) until the end.
  let view: InstanceView | undefined;
  for (let i = 0; i < 200; i++) {
    view = (await api.request<InstanceView>('GET', path)).body;
    if (view.status !== 'running' && view.status !== 'compensating') break;
    const task = view.tasks.find((t) => t.status === 'pending');
    if (!task) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    console.log(`task ${task.taskId} for ${task.assigneeId} at node ${task.nodeId}`);
    const type = reject && task.nodeId === 'cfo' ? 'reject' : 'approve';
    const answer = await api.request<InstanceView>('POST', `${path}/actions`, {
      type,
      actionId: `demo-${businessKey}-${task.taskId}`,
      actorId: task.assigneeId,
      taskId: task.taskId,
      comment: type === 'approve' ? '同意' : '预算不足',
    });
    console.log(`${type} →`, answer.status, `status=${answer.body.status}`);
  }
  console.log(`instance ${instanceId}: ${view?.status}${view?.compensations ? `; compensations: ${JSON.stringify(view.compensations)}` : ''}`);
  console.log(`the ERP's side (webhooks, budget, write-back): ${erpUrl}/`);
  if (view?.status !== (reject ? 'rejected' : 'approved')) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
