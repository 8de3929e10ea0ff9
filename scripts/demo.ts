import { createSignedClient } from '../client/signed-client';
import { loadConfig } from '../config';
import { DEMO_APP_KEY, demoFlow } from '../db/seed-demo';
import type { InstanceView } from '../engine/instance-view';

/**
 * `npm run demo` (with `npm start` running): one purchase request of ¥18,000, started and approved
 * by each approver in turn (direct manager, then CFO) until it is approved,
 * over the signed HTTP API as an ERP would drive it.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const api = createSignedClient({ baseUrl: process.env.API_URL ?? `http://localhost:${config.port}`, appKey: DEMO_APP_KEY, secret: config.demoErpSecret });
  const businessKey = process.argv[2] ?? `PR-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const started = await api.request('POST', '/api/v1/instances', {
    flowCode: demoFlow.code,
    businessKey,
    initiatorId: 'u_zhangsan',
    form: { title: '办公电脑 3 台', amount: 18000 },
    source: { system: 'erp', type: 'purchase.request', id: businessKey },
  });
  console.log('start →', started.status, JSON.stringify(started.body));
  if (started.status >= 300) process.exit(1);
  const { instanceId } = started.body as { instanceId: string };
  const path = `/api/v1/instances/${encodeURIComponent(instanceId)}`;

  // Approve every task as it appears (the direct manager, then the CFO above ¥10,000) until the end.
  let view: InstanceView | undefined;
  for (let i = 0; i < 200; i++) {
    view = (await api.request<InstanceView>('GET', path)).body;
    if (view.status !== 'running') break;
    const task = view.tasks.find((t) => t.status === 'pending');
    if (!task) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    console.log(`task ${task.taskId} for ${task.assigneeId} at node ${task.nodeId}`);
    const approved = await api.request<InstanceView>('POST', `${path}/actions`, {
      type: 'approve',
      actionId: `demo-${businessKey}-${task.taskId}`,
      actorId: task.assigneeId,
      taskId: task.taskId,
      comment: '同意',
    });
    console.log('approve →', approved.status, `status=${approved.body.status}`);
  }
  console.log(`instance ${instanceId}: ${view?.status}`);
  if (view?.status !== 'approved') process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
