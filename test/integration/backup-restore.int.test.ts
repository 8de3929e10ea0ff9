import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { InstanceView } from '../../engine/instance-view';
import { expectOk, instancePath, pollUntil, uid } from '../support/fixtures';
import { demoClient, launchStart, startDemoRequest, startEnvironment } from '../support/start-process';

/** `npm run backup` / `npm run restore` of the embedded data: what was backed up comes back, later changes are gone. */

jest.setTimeout(300_000);
const ROOT = path.resolve(__dirname, '../..');

function run(script: 'backup' | 'restore', args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/embedded-backup.ts'), script, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('restores the data as it was at the backup, and refuses while npm start runs', async () => {
  const environment = await startEnvironment();
  const archive = path.join(environment.dataDir, '..', `${path.basename(environment.dataDir)}-backup.tar.gz`);
  const api = demoClient(environment);
  const pending = (instanceId: string) =>
    pollUntil(
      'a pending task',
      () => expectOk<InstanceView>(api.request('GET', instancePath(instanceId))),
      (v) => v.tasks.some((t) => t.status === 'pending'),
    );
  try {
    let product = launchStart(environment);
    await product.ready;
    const instanceId = await startDemoRequest(api, { form: { title: '投影仪', amount: 2000 } });
    const task = (await pending(instanceId)).tasks.find((t) => t.status === 'pending')!;
    const refused = run('backup', [archive], environment.env);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('stop npm start first');
    product.child.kill('SIGTERM');
    await product.exited;

    const backedUp = run('backup', [archive], environment.env);
    expect(backedUp.output).toContain('backed up');
    expect(existsSync(archive)).toBe(true);

    // After the backup: the task is approved.
    product = launchStart(environment);
    await product.ready;
    await expectOk(
      api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', taskId: task.taskId, actorId: task.assigneeId, actionId: uid('a') }),
    );
    await pollUntil(
      'the approval to land',
      () => expectOk<InstanceView>(api.request('GET', instancePath(instanceId))),
      (v) => v.tasks.find((t) => t.taskId === task.taskId)?.status === 'approved',
    );
    product.child.kill('SIGTERM');
    await product.exited;

    expect(run('restore', [archive], environment.env).output).toContain('is not empty');
    const restored = run('restore', [archive, '--force'], environment.env);
    expect(restored.output).toContain('restored');
    product = launchStart(environment);
    await product.ready;
    const view = await expectOk<InstanceView>(api.request('GET', instancePath(instanceId)));
    expect(view.tasks.find((t) => t.taskId === task.taskId)?.status).toBe('pending');
    product.child.kill('SIGTERM');
    expect((await product.exited).code).toBe(0);
  } finally {
    rmSync(environment.dataDir, { recursive: true, force: true });
    rmSync(archive, { force: true });
    for (const entry of spawnSync('sh', ['-c', `ls -d ${environment.dataDir}.before-restore-* 2>/dev/null`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean))
      rmSync(entry, { recursive: true, force: true });
  }
});
