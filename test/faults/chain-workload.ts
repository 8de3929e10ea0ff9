import type { InstanceView } from '../../engine/instance-view';
import { instancePath, uid } from '../support/fixtures';
import { CHAIN_APPROVERS, INITIATOR, type FaultStack } from './fault-stack';
import { callWithRetry, Traffic } from './traffic';

export interface ExpectedInstance {
  instanceId: string;
  businessKey: string;
  expected: 'approved' | 'rejected';
  /** The tasks the driver acted on, each once (by actionId). */
  actedTasks: string[];
}

export interface WorkloadResult {
  instances: ExpectedInstance[];
  /** Actions the API accepted (2xx). */
  actions: number;
  /** Flows the driver could not finish (a step never appeared, a call never got through). */
  stuck: Array<{ businessKey: string; why: string }>;
  traffic: Traffic;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `flows` purchase requests through the chain flow (budget reservation, manager, finance), at most
 * `concurrency` in flight; every `rejectEvery`-th is rejected by finance (its budget is released).
 * `onProgress` is told each time a flow finishes, so a scenario can time its faults.
 */
export async function runChainFlows(
  stack: FaultStack,
  options: { flows: number; concurrency: number; rejectEvery?: number; onProgress?: (done: number) => void },
): Promise<WorkloadResult> {
  const traffic = new Traffic();
  const instances: ExpectedInstance[] = [];
  const stuck: WorkloadResult['stuck'] = [];
  let actions = 0;
  let next = 0;
  let done = 0;
  const tag = uid('f');

  const runOne = async (i: number) => {
    const businessKey = `${tag}-${i}`;
    const expected = options.rejectEvery && i % options.rejectEvery === options.rejectEvery - 1 ? 'rejected' : 'approved';
    const started = await callWithRetry<{ instanceId: string }>(stack.api, traffic, 'POST', '/api/v1/instances', {
      flowCode: stack.flows.chain,
      businessKey,
      initiatorId: INITIATOR,
      form: { amount: 100 + i, title: `故障测试 ${i}` },
      source: { system: 'erp', type: 'purchase.order', id: businessKey },
      callbackUrl: stack.callbackUrl,
    });
    if (started.status !== 201 && started.status !== 200) throw new Error(`start ${businessKey}: ${started.status} ${JSON.stringify(started.body)}`);
    const instance: ExpectedInstance = { instanceId: started.body.instanceId, businessKey, expected, actedTasks: [] };
    instances.push(instance);
    for (const [step, approver] of CHAIN_APPROVERS.entries()) {
      const task = await pendingTaskOf(stack, traffic, instance.instanceId, approver);
      const type = expected === 'rejected' && step === CHAIN_APPROVERS.length - 1 ? 'reject' : 'approve';
      const acted = await callWithRetry(stack.api, traffic, 'POST', `${instancePath(instance.instanceId)}/actions`, {
        type,
        taskId: task,
        actorId: approver,
        actionId: `${businessKey}-${step}`,
        comment: '故障测试',
      });
      if (acted.status !== 200) throw new Error(`${type} ${task}: ${acted.status} ${JSON.stringify(acted.body)}`);
      actions += 1;
      instance.actedTasks.push(task);
    }
  };

  const lane = async () => {
    for (let i = next++; i < options.flows; i = next++) {
      try {
        await runOne(i);
      } catch (err) {
        stuck.push({ businessKey: `${tag}-${i}`, why: err instanceof Error ? err.message : String(err) });
      }
      done += 1;
      options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return { instances, actions, stuck, traffic };
}

async function pendingTaskOf(stack: FaultStack, traffic: Traffic, instanceId: string, assigneeId: string, timeoutMs = 180_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await callWithRetry<InstanceView>(stack.api, traffic, 'GET', instancePath(instanceId));
    const task = view.status === 200 ? view.body.tasks.find((t) => t.assigneeId === assigneeId && t.status === 'pending') : undefined;
    if (task) return task.taskId;
    if (view.status === 200 && view.body.status !== 'running') throw new Error(`${instanceId} ended ${view.body.status} before ${assigneeId} had a task`);
    if (Date.now() > deadline) throw new Error(`no pending task of ${assigneeId} in ${instanceId} after ${timeoutMs} ms`);
    await sleep(150);
  }
}
