import { rmSync } from 'node:fs';
import type { SignedClient } from '../../client/signed-client';
import { demoFlow } from '../../db/seed-demo';
import type { InstanceView } from '../../engine/instance-view';
import { expectOk, instancePath, pollUntil, uid } from '../support/fixtures';
import { demoClient, launchStart, serverPids, startDemoRequest, startEnvironment, type StartEnvironment, type StartedProduct } from '../support/start-process';
import { isAlive } from '../../runtime/leftover-process';

/**
 * `npm start` killed with SIGKILL leaves nothing a user has to clean up: its PostgreSQL and
 * Temporal stop with it (the kernel's parent-death signal), and where they could not, the next
 * start finds them by their pid files and stops them. Either way the next start comes up with
 * the same data, and the approval in flight carries on. SIGTERM drains: what the API accepted
 * is answered and kept.
 */

jest.setTimeout(300_000);

const pendingTask = (api: SignedClient, instanceId: string) =>
  pollUntil(
    `a pending task of ${instanceId}`,
    () => expectOk<InstanceView>(api.request('GET', instancePath(instanceId))),
    (view) => view.tasks.some((t) => t.status === 'pending'),
  ).then((view) => view.tasks.find((t) => t.status === 'pending')!);

async function sigkillAndWait(product: StartedProduct): Promise<void> {
  product.child.kill('SIGKILL');
  await product.exited;
}

async function stopGracefully(product: StartedProduct): Promise<number | null> {
  product.child.kill('SIGTERM');
  const { code } = await product.exited;
  return code;
}

describe('npm start after a SIGKILL', () => {
  const environments: StartEnvironment[] = [];
  const running: StartedProduct[] = [];
  afterAll(async () => {
    for (const product of running) if (product.child.exitCode === null && product.child.signalCode === null) await stopGracefully(product);
    for (const environment of environments) rmSync(environment.dataDir, { recursive: true, force: true });
  });

  const launch = (environment: StartEnvironment, env: NodeJS.ProcessEnv = {}) => {
    const product = launchStart(environment, env);
    running.push(product);
    return product;
  };

  it('takes its servers with it, and the next start carries on with the approval in flight', async () => {
    const environment = await startEnvironment();
    environments.push(environment);
    const first = launch(environment);
    await first.ready;
    const api = demoClient(environment);
    const instanceId = await startDemoRequest(api);
    const task = await pendingTask(api, instanceId);
    const servers = serverPids(environment.dataDir);
    expect(servers.postgres).toBeGreaterThan(0);
    expect(servers.temporal).toBeGreaterThan(0);

    await sigkillAndWait(first);
    // The kernel signals them as their parent dies; PostgreSQL's fast shutdown and Temporal's stop take a moment.
    await pollUntil(
      'the servers to stop with npm start',
      async () => [servers.postgres!, servers.temporal!].filter(isAlive),
      (alive) => alive.length === 0,
      30_000,
    );

    const second = launch(environment);
    await second.ready;
    expect(second.output()).not.toContain('left running');
    const again = await expectOk<InstanceView>(api.request('GET', instancePath(instanceId)));
    expect(again.tasks.find((t) => t.taskId === task.taskId)?.status).toBe('pending');
    await expectOk(
      api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', taskId: task.taskId, actorId: task.assigneeId, actionId: uid('act') }),
    );
    await pollUntil(
      'the approval to move on',
      () => expectOk<InstanceView>(api.request('GET', instancePath(instanceId))),
      (view) => view.tasks.find((t) => t.taskId === task.taskId)?.status === 'approved',
    );
    expect(await stopGracefully(second)).toBe(0);
    expect(second.output()).toContain('[start] stopped');
  });

  it('stops the servers an earlier start left running where nothing took them down with it', async () => {
    const environment = await startEnvironment();
    environments.push(environment);
    // As on a machine without a parent-death signal: the servers outlive the killed start.
    const first = launch(environment, { OWNED_PROCESS_DEATH_SIGNAL: 'off' });
    await first.ready;
    const servers = serverPids(environment.dataDir);
    await sigkillAndWait(first);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([servers.postgres!, servers.temporal!].filter(isAlive)).toHaveLength(2);

    const second = launch(environment);
    await second.ready;
    expect(second.output()).toContain(`stopping PostgreSQL (pid ${servers.postgres}) left running by an earlier start`);
    expect(second.output()).toContain(`stopping the Temporal dev server (pid ${servers.temporal}) left running by an earlier start`);
    expect([servers.postgres!, servers.temporal!].filter(isAlive)).toHaveLength(0);
    const instanceId = await startDemoRequest(demoClient(environment));
    await pendingTask(demoClient(environment), instanceId);
    expect(await stopGracefully(second)).toBe(0);
  });

  it('answers every request it accepted when SIGTERM arrives mid-traffic, and keeps what it answered', async () => {
    const environment = await startEnvironment();
    environments.push(environment);
    const first = launch(environment);
    await first.ready;
    const api = demoClient(environment);
    const businessKeys = Array.from({ length: 30 }, () => uid('PR'));
    const sent = businessKeys.map((businessKey) =>
      startDemoRequest(api, { businessKey }).then(
        (instanceId) => ({ businessKey, instanceId }),
        (err: unknown) => ({ businessKey, error: err as Error & { cause?: { code?: string } } }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    first.child.kill('SIGTERM');
    const outcomes = await Promise.all(sent);
    expect((await first.exited).code).toBe(0);
    const answered = outcomes.flatMap((o) => ('instanceId' in o ? [o.instanceId] : []));
    const unanswered = outcomes.flatMap((o) => ('error' in o ? [o] : []));
    // Only the connection may fail (the listener closed, or a keep-alive connection closed as the
    // request went out): an HTTP answer other than 201 would be a failure of the API itself.
    expect(unanswered.filter((o) => !['ECONNREFUSED', 'ECONNRESET'].includes(o.error.cause?.code ?? ''))).toEqual([]);
    expect(answered.length).toBeGreaterThan(0);

    const second = launch(environment);
    await second.ready;
    for (const instanceId of answered) {
      const view = await expectOk<InstanceView>(api.request('GET', instancePath(instanceId)));
      expect(view.status).toBe('running');
    }
    // Cut off after being taken would leave an instance nobody was told about: every unanswered request left none.
    for (const { businessKey } of unanswered) {
      const lookup = await api.request('GET', instancePath(`approval:${demoFlow.code}:${businessKey}`));
      expect(lookup.status).toBe(404);
    }
    expect(await stopGracefully(second)).toBe(0);
  });
});
