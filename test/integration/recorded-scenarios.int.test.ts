import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { InstanceView } from '../../engine/instance-view';
import { expectOk, hasPendingTasks, instancePath, oneApprovalFlow, publishFlow, seedOrgAndFlow, startBody, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Real runs of every path the workflow has today. Each is checked here; with RECORD_HISTORIES=1
 * (`npm run record:histories`) its history is also written to test/fixtures/histories, which
 * replay.int.test.ts replays against the current workflow code so that a change that would break
 * running instances fails the build.
 */
export const HISTORY_DIR = path.resolve(__dirname, '../fixtures/histories');

let stack: TestStack;
let flowCode: string;

beforeAll(async () => {
  stack = await startTestStack();
  flowCode = await seedOrgAndFlow(stack.api, 'rec', ['u_a', 'u_b']);
});
afterAll(() => stack?.stop());

async function finishAndMaybeRecord(name: string, instanceId: string): Promise<void> {
  const handle = stack.temporal.workflow.getHandle(instanceId);
  await handle.result();
  if (process.env.RECORD_HISTORIES === '1') {
    writeFileSync(path.join(HISTORY_DIR, `${name}.json`), `${historyToJSON(await handle.fetchHistory())}\n`);
  }
}

async function start(code = flowCode): Promise<string> {
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(code)), 201);
  return started.instanceId;
}

const act = (instanceId: string, type: 'approve' | 'reject', actorId: string, actionId = uid('act')) =>
  expectOk<InstanceView>(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type, actionId, actorId }));

describe('recorded scenarios', () => {
  it('approve-any: refused outsider, then the first approval wins; a repeated actionId', async () => {
    const id = await start();
    await waitForView(stack.api, id, hasPendingTasks);
    expect((await stack.api.request('POST', `${instancePath(id)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_outsider' })).status).toBe(403);
    const actionId = uid('act');
    expect((await act(id, 'approve', 'u_b', actionId)).status).toBe('approved');
    expect((await act(id, 'approve', 'u_b', actionId)).status).toBe('approved');
    await finishAndMaybeRecord('approve-any', id);
  });

  it('reject-all: one reject, then the last assignee rejects', async () => {
    const id = await start();
    await waitForView(stack.api, id, hasPendingTasks);
    expect((await act(id, 'reject', 'u_a')).status).toBe('running');
    expect((await act(id, 'reject', 'u_b')).status).toBe('rejected');
    await finishAndMaybeRecord('reject-all', id);
  });

  it('empty-auto-approve: nobody resolves and the node approves itself', async () => {
    const code = uid('rec_empty');
    await publishFlow(stack.api, oneApprovalFlow(code, ['u_ghost'], { onEmpty: 'auto_approve' } as never));
    const id = await start(code);
    expect((await waitForView(stack.api, id, (v) => v.status !== 'running')).status).toBe('approved');
    await finishAndMaybeRecord('empty-auto-approve', id);
  });
});
