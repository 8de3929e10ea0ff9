import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createSignedClient } from '../../client/signed-client';
import { findApp, rotateAppSecret, upsertApp } from '../../db/apps';
import { findErpSystem, upsertErpSystem } from '../../db/erp-systems';
import { resealSecrets, unopenableSecrets } from '../../db/reseal-secrets';
import { SecretBox } from '../../db/secret-box';
import { replayRunningInstances } from '../../ops/replay-check';
import { expectOk, hasPendingTasks, oneApprovalFlow, publishFlow, startBody, syncTestUsers, uid, waitForView } from '../support/fixtures';
import { createTestDatabase } from '../support/test-database';
import { startTestStack, type TestStack } from '../support/test-stack';

/** The tools behind the runbook (docs/runbook.md): app registration and secret rotation, the secrets-key reseal, the replay check. */

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await syncTestUsers(stack.api);
});
afterAll(() => stack?.stop());

const clientOf = (appKey: string, secret: string) => createSignedClient({ baseUrl: stack.baseUrl, appKey, secret });

describe('apps: register, list, rotate a secret', () => {
  it('registers an app with a secret shown once; a rotation keeps the secret before valid for its grace period only', async () => {
    const key = uid('erp-app');
    const registered = await expectOk<{ key: string; secret: string; permissions: string[] }>(
      stack.api.request('POST', '/api/v1/apps', { key, name: '新 ERP', permissions: ['start', 'act_for'] }),
      201,
    );
    expect(registered).toMatchObject({ key, permissions: ['start', 'act_for'] });
    expect(registered.secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await stack.api.request('POST', '/api/v1/apps', { key, name: 'again', permissions: ['start'] })).status).toBe(409);
    const listed = await expectOk<{ items: Array<Record<string, unknown>> }>(stack.api.request('GET', '/api/v1/apps'));
    expect(listed.items.find((a) => a.key === key)).toEqual({ key, name: '新 ERP', permissions: ['start', 'act_for'], createdAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(registered.secret);

    const first = clientOf(key, registered.secret);
    expect((await first.request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(200);
    // Not an admin app: it may not register or rotate.
    expect((await first.request('POST', `/api/v1/apps/${key}/secret`, {})).status).toBe(403);

    const rotated = await expectOk<{ secret: string; previousSecretExpiresAt: string }>(
      stack.api.request('POST', `/api/v1/apps/${key}/secret`, { graceSeconds: 3600 }),
    );
    expect(rotated.secret).not.toBe(registered.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    expect((await first.request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(200);
    expect((await clientOf(key, rotated.secret).request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(200);

    const again = await expectOk<{ secret: string; previousSecretExpiresAt?: string }>(
      stack.api.request('POST', `/api/v1/apps/${key}/secret`, { graceSeconds: 0 }),
    );
    expect(again.previousSecretExpiresAt).toBeUndefined();
    const stale = await clientOf(key, rotated.secret).request<{ error: { code: string } }>('GET', '/api/v1/tasks?assignee=u_a');
    expect([stale.status, stale.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    expect((await first.request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(401);
    expect((await clientOf(key, again.secret).request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(200);

    expect((await stack.api.request('POST', '/api/v1/apps/no-such-app/secret', {})).status).toBe(404);
    expect((await stack.api.request('POST', `/api/v1/apps/${key}/secret`, { graceSeconds: 8 * 24 * 3600 })).status).toBe(400);
    expect((await stack.api.request('POST', '/api/v1/apps', { key: 'bad key!', name: 'x', permissions: ['start'] })).status).toBe(400);
  });
});

describe('apps as this API process keeps them (auth/verified-apps.ts)', () => {
  it('a secret rotated by another API process verifies at once; the secret it replaced without grace stops within the cache time', async () => {
    const key = uid('erp-app');
    await upsertApp(stack.database.db, stack.secretBox, { key, name: '另一进程', secret: 'secret-before', permissions: ['start'] });
    const before = clientOf(key, 'secret-before');
    expect((await before.request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(200); // now cached here
    // Another API process rotates it: this one is not told.
    expect(await rotateAppSecret(stack.database.db, stack.secretBox, key, 'secret-after', 0)).toBe(true);
    expect((await clientOf(key, 'secret-after').request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(200);
    // The fresh read that verified the new secret replaced what was kept: the old one is refused at once here.
    const stale = await before.request<{ error: { code: string } }>('GET', '/api/v1/tasks?assignee=u_a');
    expect([stale.status, stale.body.error.code]).toEqual([401, 'BAD_SIGNATURE']);
    // A forged signature with a cached app costs one fresh read and is refused like any other.
    expect((await clientOf(key, 'not-the-secret').request('GET', '/api/v1/tasks?assignee=u_a')).status).toBe(401);
  });
});

describe('secrets key rotation: reseal', () => {
  it('seals every secret again with the new key, after which the new key alone opens them all', async () => {
    const database = await createTestDatabase();
    try {
      const db = database.database.db;
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      const oldBox = new SecretBox(oldKey);
      const newAlone = new SecretBox(newKey);
      await upsertApp(db, oldBox, { key: 'reseal-app', name: 'reseal', secret: 'app-secret-1', permissions: ['start'] });
      await rotateAppSecret(db, oldBox, 'reseal-app', 'app-secret-2', 3_600_000);
      await upsertErpSystem(db, oldBox, {
        code: 'reseal_sys',
        baseUrl: 'http://127.0.0.1:9',
        auth: { type: 'hmac', appKey: 'c', secret: 'erp-1' },
        operations: {},
      });
      expect(await unopenableSecrets(db, newAlone)).toEqual(['app reseal-app', 'app reseal-app (secret before rotation)', 'ERP system reseal_sys']);

      // What the processes hold during the rotation: the new key, and the one before to open with.
      expect(await resealSecrets(db, new SecretBox(newKey, [oldKey]))).toEqual({ apps: 1, systems: 1 });
      expect(await unopenableSecrets(db, newAlone)).toEqual([]);
      expect(await findApp(db, newAlone, 'reseal-app')).toMatchObject({ secret: 'app-secret-2', previousSecret: 'app-secret-1' });
      expect((await findErpSystem(db, newAlone, 'reseal_sys'))?.auth).toEqual({ type: 'hmac', appKey: 'c', secret: 'erp-1' });
      expect(await unopenableSecrets(db, oldBox)).toHaveLength(3);
    } finally {
      await database.drop();
    }
  });
});

describe('the replay check before a worker upgrade', () => {
  it('replays the running instances: today’s code passes, an incompatible change is named', async () => {
    const flowCode = uid('replay');
    await publishFlow(stack.api, oneApprovalFlow(flowCode, ['u_a']));
    const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
    await waitForView(stack.api, started.instanceId, hasPendingTasks);

    const codePath = process.env.TEST_WORKFLOW_BUNDLE!;
    const passing = await replayRunningInstances(stack.temporal, { codePath }, { taskQueue: stack.taskQueue });
    expect(passing.replayed).toBeGreaterThanOrEqual(1);
    expect(passing.failures).toEqual([]);

    const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error, log: () => undefined };
    const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../fixtures/incompatible-workflow'), logger: quiet });
    const failing = await replayRunningInstances(stack.temporal, { code }, { taskQueue: stack.taskQueue });
    expect(failing.failures).toEqual(expect.arrayContaining([expect.objectContaining({ workflowId: started.instanceId, error: expect.any(String) })]));
  }, 90_000);
});
