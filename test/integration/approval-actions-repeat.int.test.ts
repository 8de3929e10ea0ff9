import { actOk, publishChain, startActionStack, startInstance, taskRows, timelineOf, viewOf } from '../support/action-fixtures';
import { uid } from '../support/fixtures';
import { type TestStack } from '../support/test-stack';

/**
 * SPEC §5: "a repeated actionId returns the first answer and does nothing again" — also once the
 * instance has continued as new (a small history limit makes that happen after a few actions).
 */

const HISTORY_LIMIT = 60;

let stack: TestStack;
let anyFlow: string;

beforeAll(async () => {
  stack = await startActionStack({ historyLimit: HISTORY_LIMIT });
  anyFlow = await publishChain(stack, 'rep_any', [{ id: 'approve', approvers: ['u_a', 'u_b'], mode: 'any' }]);
});
afterAll(() => stack?.stop());

describe('repeated actionId across continue-as-new', () => {
  it('returns the first answer and does nothing again', async () => {
    const view = await startInstance(stack, anyFlow);
    const handle = stack.temporal.workflow.getHandle(view.instanceId);
    const reject = { type: 'reject', actionId: uid('act'), actorId: 'u_a', comment: '第一次' };
    const first = await actOk(stack, view.instanceId, reject);
    expect(taskRows(first)).toEqual([
      ['approve', 'u_a', 'rejected'],
      ['approve', 'u_b', 'pending'],
    ]);
    // The state moves on after the first answer …
    await actOk(stack, view.instanceId, { type: 'transfer', actorId: 'u_b', toUserId: 'u_c' });
    // … and the instance continues as new.
    const firstRunId = (await handle.describe()).runId;
    for (let i = 0; i < 40 && (await handle.describe()).runId === firstRunId; i++) {
      await actOk(stack, view.instanceId, { type: 'comment', actorId: 'u_initiator', comment: `意见 ${i}` });
    }
    expect((await handle.describe()).runId).not.toBe(firstRunId);

    const again = await actOk(stack, view.instanceId, reject);
    // Nothing done again …
    expect((await timelineOf(stack, view.instanceId)).events.filter((e) => e.type === 'rejected')).toHaveLength(1);
    expect(taskRows(await viewOf(stack, view.instanceId))).toEqual([
      ['approve', 'u_a', 'rejected'],
      ['approve', 'u_b', 'transferred'],
      ['approve', 'u_c', 'pending'],
    ]);
    // … and the answer is the first one.
    expect(again).toEqual(first);
  });
});
