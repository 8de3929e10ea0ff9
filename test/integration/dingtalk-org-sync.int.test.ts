import { asc } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import { startApiServer, type RunningApi } from '../../api/server';
import { createSignedClient, type SignedClient } from '../../client/signed-client';
import type { DingTalkConfig } from '../../config';
import { departments, users } from '../../db/schema';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';
import { DEFAULT_NAMESPACE } from '../../temporal-config';
import {
  DINGTALK_ORG_SYNC_WORKFLOW_TYPE,
  ensureDingTalkOrgSyncSchedule,
  MANUAL_ORG_SYNC_WORKFLOW_ID,
  startDingTalkOrgSyncNow,
} from '../../temporal-config/dingtalk-org-sync-schedule';
import type { DingTalkOrgSyncResult } from '../../workflows/dingtalk-org-sync';
import { dingTalkTestOrg, TEST_ORG_MANAGERS } from '../support/dingtalk-org-fixture';
import { expectOk, instancePath, oneApprovalFlow, pollUntil, publishFlow, startBody, uid, waitForView } from '../support/fixtures';
import { InMemoryDingTalk, type InMemoryOrg } from '../support/in-memory-dingtalk';
import { recordHistory } from '../support/recorded-histories';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The org sync from DingTalk (SPEC §8) on the real stack: the workflow walks an in-memory DingTalk
 * (pages of two users, so every department pages), writes the org to Postgres, binds DingTalk users
 * to existing ones, and hands over the open tasks of whom DingTalk no longer lists.
 */

/** The DingTalk settings the second API server runs with: the route only needs to know DingTalk is configured. */
const DINGTALK_CONFIG: DingTalkConfig = {
  apiBase: 'http://127.0.0.1:9',
  oapiBase: 'http://127.0.0.1:9',
  appKey: 'org-sync-test',
  appSecret: 'org-sync-test-secret',
  agentId: 1,
  corpId: 'org-sync-corp',
  cardTemplateId: 'unused',
  callbackMode: 'http',
  callbackSecret: 'unused',
  callbackRouteKey: 'unused',
  orgSyncCron: '0 2 * * *',
};

/** The test org, and in sales (dept 2) the people the approval flow needs. */
function orgWithApprovers(): InMemoryOrg {
  const org = dingTalkTestOrg();
  org.users.push(
    { userid: 'u_initiator', unionid: 'union_initiator', name: '发起人', dept_id_list: [2] },
    { userid: 'u_a', unionid: 'union_a', name: '审批人甲', dept_id_list: [2] },
    { userid: 'u_b', unionid: 'union_b', name: '审批人乙', dept_id_list: [2] },
  );
  return org;
}

let dingtalk: InMemoryDingTalk;
let stack: TestStack;
/** The API with DingTalk configured (the stack's own has none). */
let withDingTalk: RunningApi;
let api: SignedClient;

beforeAll(async () => {
  dingtalk = new InMemoryDingTalk(orgWithApprovers(), 2);
  stack = await startTestStack({ dingtalkApi: dingtalk });
  withDingTalk = await startApiServer(
    {
      db: stack.database.db,
      temporal: stack.temporal,
      secretBox: stack.secretBox,
      checkContract: true,
      config: { temporalNamespace: DEFAULT_NAMESPACE, taskQueue: stack.taskQueue, dingtalk: DINGTALK_CONFIG },
    },
    0,
    '127.0.0.1',
  );
  const app = await stack.appWith(['sync']);
  api = createSignedClient({ baseUrl: withDingTalk.url, appKey: app.appKey, secret: app.secret });
});
afterAll(async () => {
  await withDingTalk?.close();
  await stack?.stop();
});

interface Started {
  workflowId: string;
  runId: string;
  alreadyRunning: boolean;
}

const resultOf = (temporal: Client, started: { workflowId: string; runId: string }) =>
  temporal.workflow.getHandle(started.workflowId, started.runId).result() as Promise<DingTalkOrgSyncResult>;

const userRows = () => stack.database.db.select().from(users).orderBy(asc(users.id));

/** What the Web UI shows of a run: the summaries of its activities and its current details. */
async function whatTheUiShows(started: { workflowId: string; runId: string }) {
  const handle = stack.temporal.workflow.getHandle(started.workflowId, started.runId);
  const history = await handle.fetchHistory();
  const decoder = new TextDecoder();
  const summaries = (history.events ?? []).flatMap((e) => {
    const data = e.activityTaskScheduledEventAttributes ? e.userMetadata?.summary?.data : undefined;
    return data ? [JSON.parse(decoder.decode(data)) as string] : [];
  });
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return { summaries, currentDetails: metadata.currentDetails ?? '' };
}

describe('the DingTalk org sync (SPEC §8)', () => {
  it('syncs a three-level tree with managers and pages, retries a failed page, binds an existing user by mobile', async () => {
    // Before: an ERP user with 销售总监's mobile (bound, keeping its id and ERP fields), and one DingTalk does not list.
    await expectOk(
      stack.api.request('POST', '/api/v1/sync/users', {
        mode: 'incremental',
        users: [
          { id: 'erp_s_head', name: '销售总监(ERP)', deptIds: ['d_old'], mobile: '13800000001', roles: ['sales_director'], erpUserId: 'E100' },
          { id: 'erp_only', name: '只在 ERP', deptIds: ['d_old'] },
        ],
      }),
    );
    // The second page of sales fails once (DingTalk 502): the activity's retry policy reads it again.
    dingtalk.failNext('listDepartmentUsers(2,2)');

    const started = await expectOk<Started>(api.request('POST', '/api/v1/sync/dingtalk', {}), 202);
    expect(started).toEqual({ workflowId: MANUAL_ORG_SYNC_WORKFLOW_ID, runId: expect.any(String), alreadyRunning: false });
    // The retry waits a second: the sync is still running, and a second request answers it.
    expect(await expectOk<Started>(api.request('POST', '/api/v1/sync/dingtalk', {}), 202)).toEqual({ ...started, alreadyRunning: true });

    expect(await resultOf(stack.temporal, started)).toEqual({ departments: 5, users: 10, deactivated: 1, bound: 1, handedOver: 0 });
    expect(dingtalk.calls.filter((c) => c === 'listDepartmentUsers(2,2)')).toHaveLength(2);

    const depts = await stack.database.db.select().from(departments).orderBy(asc(departments.id));
    expect(depts.map((d) => [d.id, d.name, d.parentId, d.leaderIds, d.active])).toEqual([
      ['1', '示例公司', null, ['boss'], true],
      // DingTalk's s_head is our erp_s_head.
      ['2', '销售部', '1', ['erp_s_head'], true],
      ['3', '研发部', '1', ['r_head'], true],
      ['4', '华东销售', '2', [], true],
      ['5', '平台组', '3', ['p_lead'], true],
    ]);

    const rows = await userRows();
    const byDingTalkId = new Map(rows.filter((r) => r.dingtalkUserId).map((r) => [r.dingtalkUserId!, r]));
    const ourId = (dingtalkUserId: string | undefined) => (dingtalkUserId === undefined ? null : byDingTalkId.get(dingtalkUserId)!.id);
    for (const [userid, manager] of Object.entries(TEST_ORG_MANAGERS)) {
      expect([userid, byDingTalkId.get(userid)?.managerId]).toEqual([userid, ourId(manager)]);
    }
    expect(byDingTalkId.get('u_a')).toMatchObject({ id: 'u_a', managerId: 'erp_s_head', deptIds: ['2'], dingtalkUnionId: 'union_a', active: true });
    expect(byDingTalkId.get('e_both')).toMatchObject({ id: 'e_both', deptIds: ['4', '5'], managerId: 'r_head', dingtalkUnionId: 'union_e_both' });
    // Bound by mobile: the id, the roles and the ERP id stay; DingTalk's name, departments and ids come in.
    expect(rows.find((r) => r.id === 'erp_s_head')).toMatchObject({
      name: '销售总监',
      deptIds: ['2'],
      mobile: '13800000001',
      roles: ['sales_director'],
      erpUserId: 'E100',
      dingtalkUserId: 's_head',
      dingtalkUnionId: 'union_s_head',
      managerId: 'boss',
      active: true,
    });
    expect(rows.find((r) => r.id === 's_head')).toBeUndefined();
    expect(rows.find((r) => r.id === 'erp_only')).toMatchObject({ active: false });
    expect(rows.filter((r) => r.active)).toHaveLength(10);

    const ui = await whatTheUiShows(started);
    expect(ui.summaries).toEqual(
      expect.arrayContaining([
        'department 1: details and children',
        'department 2: users from cursor 2',
        'write 5 departments and 10 users (full)',
        'open tasks of users no longer active',
      ]),
    );
    expect(ui.currentDetails).toContain('**Done**');
    expect(ui.currentDetails).toContain('users: 10 (1 deactivated, 1 newly bound)');

    // Again, nothing changed in DingTalk: the same org, nobody newly bound or deactivated.
    const again = await startDingTalkOrgSyncNow(stack.temporal, stack.taskQueue);
    expect(again.alreadyRunning).toBe(false);
    expect(again.runId).not.toBe(started.runId);
    expect(await resultOf(stack.temporal, again)).toEqual({ departments: 5, users: 10, deactivated: 0, bound: 0, handedOver: 0 });
    expect((await userRows()).find((r) => r.id === 'erp_s_head')).toMatchObject({ dingtalkUserId: 's_head', roles: ['sales_director'] });
  });

  it('a full sync without a user who holds a pending task deactivates them and hands the task over', async () => {
    const definition = { ...oneApprovalFlow(uid('orgsync'), ['u_a', 'u_b'], { mode: 'all', onEmpty: 'to_admin' }), admins: ['boss'] };
    await publishFlow(stack.api, definition);
    const { instanceId } = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(definition.code)), 201);
    await waitForView(stack.api, instanceId, (v) => v.tasks.filter((t) => t.status === 'pending').length === 2);

    // u_a leaves the company.
    dingtalk.org = { ...dingtalk.org, users: dingtalk.org.users.filter((u) => u.userid !== 'u_a') };
    const started = await startDingTalkOrgSyncNow(stack.temporal, stack.taskQueue);
    expect(await resultOf(stack.temporal, started)).toEqual({ departments: 5, users: 9, deactivated: 1, bound: 0, handedOver: 1 });
    expect((await userRows()).find((r) => r.id === 'u_a')).toMatchObject({ active: false });

    const view = await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.assigneeId === 'boss' && t.status === 'pending'));
    const left = view.tasks.find((t) => t.assigneeId === 'u_a')!;
    expect(left).toMatchObject({ status: 'transferred', reason: 'departed' });
    expect(view.tasks.find((t) => t.assigneeId === 'boss')).toMatchObject({ transferredFrom: left.taskId, nodeId: 'approve' });
    const timeline = await expectOk<TimelineView>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`));
    expect(timeline.events.map((e) => e.type)).toEqual(expect.arrayContaining(['assignee_departed', 'handed_over']));

    // Nothing left to hand over: the next sync tells nobody.
    const next = await startDingTalkOrgSyncNow(stack.temporal, stack.taskQueue);
    expect(await resultOf(stack.temporal, next)).toMatchObject({ deactivated: 0, handedOver: 0 });
    await expectOk<InstanceView>(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'u_b' }));
    const approved = await expectOk<InstanceView>(
      stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actionId: uid('act'), actorId: 'boss' }),
    );
    expect(approved.status).toBe('approved');
  });

  it('answers 503 DINGTALK_NOT_CONFIGURED without DingTalk, 400 on a bad body, and starts nothing', async () => {
    const before = await stack.temporal.workflow.getHandle(MANUAL_ORG_SYNC_WORKFLOW_ID).describe();

    const unconfigured = await stack.api.request<{ error: { code: string; message: string } }>('POST', '/api/v1/sync/dingtalk', {});
    expect(unconfigured.status).toBe(503);
    expect(unconfigured.body).toEqual({ error: { code: 'DINGTALK_NOT_CONFIGURED', message: expect.stringContaining('no DingTalk configured') } });

    const bad = await api.request<{ error: { code: string; details: Array<{ field: string }> } }>('POST', '/api/v1/sync/dingtalk', { mode: 'full' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'mode' }] });
    expect((await api.requestRaw('POST', '/api/v1/sync/dingtalk', '')).status).toBe(400);

    const after = await stack.temporal.workflow.getHandle(MANUAL_ORG_SYNC_WORKFLOW_ID).describe();
    expect(after.runId).toBe(before.runId);
  });

  it('keeps one Schedule: created once, updated in place on the next start (overlap: skip)', async () => {
    const scheduleId = uid('org-sync-schedule');
    const options = { cron: '0 2 * * *', taskQueue: stack.taskQueue, scheduleId };
    expect(await ensureDingTalkOrgSyncSchedule(stack.temporal, options)).toBe('created');
    try {
      expect(await ensureDingTalkOrgSyncSchedule(stack.temporal, { ...options, cron: '30 3 * * *' })).toBe('updated');
      const description = await stack.temporal.schedule.getHandle(scheduleId).describe();
      expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: DINGTALK_ORG_SYNC_WORKFLOW_TYPE, taskQueue: stack.taskQueue });
      expect(description.policies.overlap).toBe('SKIP');
      expect(description.spec.calendars).toEqual([
        expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }),
      ]);
    } finally {
      await stack.temporal.schedule.getHandle(scheduleId).delete();
    }
  });
});

describe('the DingTalk org sync through the DingTalk client and the fake DingTalk', () => {
  const app = { appKey: 'org-sync-fake-app', appSecret: 'org-sync-fake-secret', agentId: 77, corpId: 'org-sync-fake-corp' };
  let fake: RunningFakeDingTalk;
  let fakeStack: TestStack;

  beforeAll(async () => {
    const org = dingTalkTestOrg();
    fake = await startFakeDingTalk({
      apps: [app],
      cardTemplateIds: ['approval_card.schema'],
      org: {
        departments: org.departments,
        users: org.users.map((u) => ({ ...u, unionid: u.unionid ?? `union_${u.userid}` })),
      },
    });
    fakeStack = await startTestStack({
      dingtalk: {
        ...DINGTALK_CONFIG,
        ...app,
        apiBase: fake.url,
        oapiBase: fake.url,
        cardTemplateId: 'approval_card.schema',
        callbackSecret: 'org-sync-callback',
      },
    });
  });
  afterAll(async () => {
    await fakeStack?.stop();
    await fake?.close();
  });

  it('syncs the org over HTTP (DINGTALK.md contacts APIs), surviving a DingTalk 502, and binds by mobile', async () => {
    await expectOk(
      fakeStack.api.request('POST', '/api/v1/sync/users', {
        mode: 'incremental',
        users: [{ id: 'erp_s_head', name: '销售总监(ERP)', deptIds: ['d_old'], mobile: '13800000001', roles: ['sales_director'] }],
      }),
    );
    fake.state.failNext('user.list', 'server_error');

    const started = await expectOk<Started>(fakeStack.api.request('POST', '/api/v1/sync/dingtalk', {}), 202);
    expect(await resultOf(fakeStack.temporal, started)).toEqual({ departments: 5, users: 7, deactivated: 0, bound: 1, handedOver: 0 });
    await recordHistory(fakeStack.temporal, 'dingtalk-org-sync', started.workflowId, started.runId);
    expect(fake.state.calls.filter((c) => c.api === 'user.list' && c.status === 502)).toHaveLength(1);

    const rows = await fakeStack.database.db.select().from(users).orderBy(asc(users.id));
    const managerOfDingTalkUser = (userid: string) => rows.find((r) => r.dingtalkUserId === userid)?.managerId;
    expect(Object.fromEntries(Object.keys(TEST_ORG_MANAGERS).map((u) => [u, managerOfDingTalkUser(u) ?? undefined]))).toEqual({
      ...TEST_ORG_MANAGERS,
      e_east: 'erp_s_head',
    });
    expect(rows.find((r) => r.id === 'erp_s_head')).toMatchObject({ dingtalkUserId: 's_head', dingtalkUnionId: 'union_s_head', roles: ['sales_director'] });
    const depts = await fakeStack.database.db.select().from(departments).orderBy(asc(departments.id));
    expect(depts.map((d) => [d.id, d.parentId, d.leaderIds])).toEqual([
      ['1', null, ['boss']],
      ['2', '1', ['erp_s_head']],
      ['3', '1', ['r_head']],
      ['4', '2', []],
      ['5', '3', ['p_lead']],
    ]);
  });

  it('then a reporting-line approval goes up the synced managers, and the card reaches the manager in DingTalk', async () => {
    const code = uid('dt_manager');
    await publishFlow(fakeStack.api, {
      code,
      name: `汇报线审批 ${code}`,
      form: { fields: [{ key: 'amount', type: 'number', required: true }] },
      nodes: [
        { id: 'start', type: 'start', next: 'managers' },
        { id: 'managers', type: 'approval', name: '两级主管', approvers: { type: 'manager', levels: 2 }, mode: 'sequential', next: 'end' },
        { id: 'end', type: 'end' },
      ],
    });
    // 平台工程师 → 平台组长 (his manager_userid left: the department's manager) → 研发总监.
    const started = await expectOk<{ instanceId: string }>(
      fakeStack.api.request('POST', '/api/v1/instances', { ...startBody(code), initiatorId: 'e_platform', form: { amount: 1 } }),
      201,
    );
    const first = await waitForView(fakeStack.api, started.instanceId, (v) => v.tasks.some((t) => t.status === 'pending'));
    expect(first.tasks.filter((t) => t.status === 'pending').map((t) => t.assigneeId)).toEqual(['p_lead']);
    const card = await pollUntil(
      'the manager’s card',
      async () => fake.state.cardsOf('p_lead')[0],
      (c) => c !== undefined,
    );
    expect((await fake.state.click({ outTrackId: card!.outTrackId, userId: 'p_lead', action: 'approve' })).status).toBe(200);
    const second = await waitForView(fakeStack.api, started.instanceId, (v) => v.tasks.some((t) => t.status === 'pending' && t.assigneeId === 'r_head'));
    expect(second.status).toBe('running');
  });
});
