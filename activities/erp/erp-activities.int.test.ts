import { MockActivityEnvironment } from '@temporalio/testing';
import { upsertErpSystem } from '../../db/erp-systems';
import { startErpSandbox, type RunningErpSandbox } from '../../sandbox/erp/erp-sandbox';
import { CENTER, erpSystemBody } from '../../test/support/erp-fixtures';
import { activityFailure } from '../../test/support/activity-failure';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createErpActivities } from './erp-activities';

let db: TestDatabase;
let sandbox: RunningErpSandbox;
let activities: ReturnType<typeof createErpActivities>;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startErpSandbox({ webhookApps: {}, inboundAuth: { type: 'hmac', ...CENTER } });
  await upsertErpSystem(db.database.db, db.secretBox, { ...(erpSystemBody('erp', sandbox.url) as Parameters<typeof upsertErpSystem>[2]) });
  const { writeBack: _writeBack, ...withoutWriteBack } = erpSystemBody('erp_no_wb', sandbox.url);
  await upsertErpSystem(db.database.db, db.secretBox, withoutWriteBack as Parameters<typeof upsertErpSystem>[2]);
  activities = createErpActivities(db.database.db, db.secretBox);
});
afterAll(async () => {
  await sandbox?.close();
  await db?.drop();
});
beforeEach(() => sandbox.state.reset());

const context = (businessKey: string) => ({
  form: { amount: 800 },
  instance: { id: `approval:po:${businessKey}` },
  businessKey,
  source: { system: 'erp', type: 'po', id: businessKey },
  status: 'running',
});
const reserve = (businessKey: string) => ({
  call: { system: 'erp', operation: 'reserve_budget' },
  idempotencyKey: `approval:po:${businessKey}:reserve:call`,
  context: context(businessKey),
});

describe('callErpOperation (activity)', () => {
  it('renders the operation, signs it, carries the idempotency key, and answers the ERP’s status and body', async () => {
    const answer = await new MockActivityEnvironment().run(activities.callErpOperation, reserve('PO-1'));
    expect(answer).toEqual({ status: 201, response: expect.objectContaining({ businessKey: 'PO-1', amount: 800, status: 'reserved' }) });
    expect(sandbox.state.operations().map((o) => [o.operation, o.idempotencyKey])).toEqual([['reserve_budget', 'approval:po:PO-1:reserve:call']]);
  });

  it('is safe to retry: the ERP applies the key once', async () => {
    const env = new MockActivityEnvironment();
    await env.run(activities.callErpOperation, reserve('PO-2'));
    await new MockActivityEnvironment({ attempt: 2 }).run(activities.callErpOperation, reserve('PO-2'));
    expect(sandbox.state.operations()).toHaveLength(1);
  });

  it('fails for good on a 4xx (ErpRejected, non-retryable, the status in its details)', async () => {
    sandbox.state.setFailure({ target: 'reserve_budget', mode: '4xx', times: 1 });
    const failure = await activityFailure(() => new MockActivityEnvironment().run(activities.callErpOperation, reserve('PO-3')));
    expect([failure.type, failure.nonRetryable, failure.details]).toEqual(['ErpRejected', true, [{ status: 422 }]]);
  });

  it.each([
    ['5xx', 503],
    ['408', 408],
    ['429', 429],
  ] as const)('leaves a %s to Temporal’s retries (ErpUnavailable)', async (mode, status) => {
    sandbox.state.setFailure({ target: 'reserve_budget', mode, times: 1 });
    const failure = await activityFailure(() => new MockActivityEnvironment().run(activities.callErpOperation, reserve('PO-4')));
    expect([failure.type, failure.nonRetryable, failure.details]).toEqual(['ErpUnavailable', false, [{ status }]]);
  });

  it('names an ERP that cannot be reached (retried) and an operation that is not registered (not retried)', async () => {
    await upsertErpSystem(db.database.db, db.secretBox, {
      code: 'erp_down',
      baseUrl: 'http://127.0.0.1:9',
      auth: { type: 'none' },
      operations: { ping: { method: 'GET', path: '/ping' } },
    });
    const down = await activityFailure(() =>
      new MockActivityEnvironment().run(activities.callErpOperation, { ...reserve('PO-5'), call: { system: 'erp_down', operation: 'ping' } }),
    );
    expect([down.type, down.nonRetryable]).toEqual(['ErpUnreachable', false]);
    const unknown = await activityFailure(() =>
      new MockActivityEnvironment().run(activities.callErpOperation, { ...reserve('PO-5'), call: { system: 'erp', operation: 'nope' } }),
    );
    expect([unknown.type, unknown.nonRetryable]).toEqual(['ErpNotConfigured', true]);
  });
});

describe('writeBackToErp (activity)', () => {
  it('writes the result back to the source document once', async () => {
    const input = { system: 'erp', idempotencyKey: 'approval:po:PO-6:write_back', context: { ...context('PO-6'), status: 'approved' } };
    expect(await new MockActivityEnvironment().run(activities.writeBackToErp, input)).toMatchObject({ status: 200 });
    await new MockActivityEnvironment({ attempt: 2 }).run(activities.writeBackToErp, input);
    expect(sandbox.state.operations().map((o) => [o.operation, o.path, o.body])).toEqual([
      ['write_back', '/documents/po/PO-6/approval-result', { status: 'approved', instanceId: 'approval:po:PO-6' }],
    ]);
  });

  it('is skipped, not failed, for a system without a write-back', async () => {
    const input = { system: 'erp_no_wb', idempotencyKey: 'approval:po:PO-7:write_back', context: context('PO-7') };
    expect(await new MockActivityEnvironment().run(activities.writeBackToErp, input)).toEqual({
      skipped: 'ERP system "erp_no_wb" has no writeBack configured',
    });
  });
});
