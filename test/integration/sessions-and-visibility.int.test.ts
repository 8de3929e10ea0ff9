import { createApi } from '../../api/app';
import type { ApiDependencies } from '../../api/context';
import { createSession } from '../../db/sessions';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { DEFAULT_NAMESPACE } from '../../temporal-config';
import { actionsPath, actionUsers, actOk, definitionWith, startActionStack, taskOf, type ErrorBody } from '../support/action-fixtures';
import { delegate, expectOk, hasPendingTasks, instancePath, pollUntil, publishFlow, startBody, uid, waitForView } from '../support/fixtures';
import type { TestStack } from '../support/test-stack';
import { bearerRequest, logInAs, type UserClient } from '../support/user-sessions';

/**
 * SPEC §7 for users and apps: sessions (dev login, expiry, logout, revoke), the actor of a
 * session's action, and who sees what — every read route of an instance for every kind of
 * participant and app, the rest answering 404 as if the instance did not exist.
 */

let stack: TestStack;
const people = {
  initiator: 'u_initiator',
  pastAssignee: 'u_a',
  ccRecipient: 'u_c',
  delegator: 'u_b',
  delegate: 'u_e',
  flowAdmin: 'u_d',
  approvalAdmin: 'u_admin',
  outsider: 'u_outsider',
} as const;
type Role = keyof typeof people;

/** start → 经理 (u_a) → 抄送 (u_c) → 总监 (u_b, delegated to u_e) → end; u_d admins the flow. */
function visibilityFlow(code: string): FlowDefinition {
  return {
    ...definitionWith(code, [
      { id: 'start', type: 'start', next: 'manager' },
      { id: 'manager', type: 'approval', name: '经理审批', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'notify' },
      { id: 'notify', type: 'cc', name: '抄送财务', recipients: { type: 'users', ids: ['u_c'] }, next: 'director' },
      { id: 'director', type: 'approval', name: '总监审批', approvers: { type: 'users', ids: ['u_b'] }, mode: 'any', next: 'end' },
      { id: 'end', type: 'end' },
    ]),
    admins: ['u_d'],
  };
}

let flowCode: string;
/** Started by the stack's app, at 总监 with u_e (for u_b) after u_a approved and u_c was cc'd. */
let instanceId: string;
const sessions = {} as Record<Role, UserClient>;

beforeAll(async () => {
  stack = await startActionStack({ devLogin: true });
  await expectOk(
    stack.api.request('POST', '/api/v1/sync/users', {
      mode: 'incremental',
      users: [
        { id: 'u_admin', name: '审批管理员', deptIds: ['d1'], roles: ['approval_admin'] },
        { id: 'u_mobile', name: '手机用户', deptIds: ['d1'], mobile: '13800138123' },
      ],
    }),
  );
  await delegate(stack.api, { delegatorId: 'u_b', delegateId: 'u_e' });
  flowCode = uid('vis');
  await publishFlow(stack.api, visibilityFlow(flowCode));
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
  instanceId = started.instanceId;
  await waitForView(stack.api, instanceId, hasPendingTasks);
  await actOk(stack, instanceId, { type: 'approve', actorId: 'u_a', comment: '同意' });
  await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.nodeId === 'director' && t.status === 'pending'));
  for (const [role, userId] of Object.entries(people) as Array<[Role, string]>) sessions[role] = await logInAs(stack, userId);
}, 90_000);
afterAll(() => stack?.stop());

const readRoutes = (id: string) => ({
  instance: instancePath(id),
  timeline: `${instancePath(id)}/timeline`,
  route: `${instancePath(id)}/route`,
  form: `${instancePath(id)}/form`,
});

const rowsOf = async (table: string) => Number((await stack.database.sql.unsafe<Array<{ n: number }>>(`select count(*)::int as n from ${table}`))[0]!.n);

describe('sessions', () => {
  it('the dev login answers a session for an active user; an unknown one is refused and nothing is written', async () => {
    const me = await expectOk<{ id: string; name: string; flowAdmin: boolean }>(sessions.approvalAdmin.request('GET', '/api/v1/me'));
    expect(me).toEqual({ id: 'u_admin', name: '审批管理员', flowAdmin: true });
    const before = await rowsOf('user_sessions');
    const refused = await fetch(`${stack.baseUrl}/api/v1/auth/dev-login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"userId":"u_nobody"}',
    });
    expect([refused.status, ((await refused.json()) as ErrorBody).error.code]).toEqual([422, 'UNKNOWN_USER']);
    expect(await rowsOf('user_sessions')).toBe(before);
  });

  it('without DEV_LOGIN the dev login does not exist', async () => {
    const deps: ApiDependencies = {
      db: stack.database.db,
      temporal: stack.temporal,
      secretBox: stack.secretBox,
      config: { temporalNamespace: DEFAULT_NAMESPACE, taskQueue: stack.taskQueue, historyLimit: undefined, retries: undefined, devLogin: false },
    };
    const api = createApi(deps);
    const login = await api.request('/api/v1/auth/dev-login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"userId":"u_a"}' });
    expect([login.status, ((await login.json()) as ErrorBody).error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await api.request('/api/v1/auth/dev-login')).status).toBe(404);
  });

  it('a token that is unknown, expired, logged out or revoked answers 401 SESSION_INVALID', async () => {
    const call = (token: string) => bearerRequest<ErrorBody>(stack.baseUrl, token, 'GET', '/api/v1/me');
    expect((await call('ses_not-a-token')).body.error.code).toBe('SESSION_INVALID');

    const expired = await createSession(stack.database.db, 'u_a', 'dev', new Date(Date.now() - 9 * 3_600_000));
    expect(await call(expired.token)).toMatchObject({ status: 401, body: { error: { code: 'SESSION_INVALID' } } });

    const leaving = await logInAs(stack, 'u_a');
    expect((await leaving.request('GET', '/api/v1/me')).status).toBe(200);
    expect(await leaving.request('POST', '/api/v1/auth/logout')).toEqual({ status: 200, body: { revoked: true } });
    expect(await call(leaving.token)).toMatchObject({ status: 401, body: { error: { code: 'SESSION_INVALID' } } });

    const [one, two] = [await logInAs(stack, 'u_mobile'), await logInAs(stack, 'u_mobile')];
    expect(await stack.api.request('POST', '/api/v1/users/u_mobile/sessions/revoke')).toEqual({ status: 200, body: { revoked: 2 } });
    for (const s of [one, two]) expect((await call(s.token)).status).toBe(401);
    expect((await sessions.pastAssignee.request('GET', '/api/v1/me')).status).toBe(200);
  });

  it('a session-only route refuses an app’s signature, and an app route a session', async () => {
    expect(await stack.api.request('GET', '/api/v1/cc')).toMatchObject({ status: 401, body: { error: { code: 'SESSION_REQUIRED' } } });
    expect(await sessions.flowAdmin.request('GET', '/api/v1/admin/drift')).toMatchObject({ status: 401, body: { error: { code: 'MISSING_SIGNATURE' } } });
  });
});

describe('the actor of a session’s action', () => {
  it('is the session’s user: an actorId naming someone else is refused and leaves no trace', async () => {
    const before = await expectOk<{ events: unknown[] }>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`));
    const refused = await sessions.delegate.request<ErrorBody>('POST', actionsPath(instanceId), {
      type: 'comment',
      actionId: uid('a'),
      actorId: 'u_b',
      comment: '冒名',
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'ACTOR_MISMATCH']);
    const after = await expectOk<{ events: unknown[] }>(stack.api.request('GET', `${instancePath(instanceId)}/timeline`));
    expect(after.events).toEqual(before.events);

    const commented = await expectOk<InstanceView>(
      sessions.delegate.request('POST', actionsPath(instanceId), { type: 'comment', actionId: uid('a'), comment: '我来看看' }),
    );
    expect(commented.instanceId).toBe(instanceId);
    const timeline = await expectOk<{ events: Array<{ type: string; actorId?: string; data: { comment?: string } }> }>(
      stack.api.request('GET', `${instancePath(instanceId)}/timeline`),
    );
    expect(timeline.events.at(-1)).toMatchObject({ type: 'comment', actorId: 'u_e', data: { comment: '我来看看' } });
  });

  it('an app must name it: no actorId is a 400 naming the field', async () => {
    const refused = await stack.api.request<ErrorBody>('POST', actionsPath(instanceId), { type: 'comment', actionId: uid('a'), comment: '谁说的' });
    expect([refused.status, refused.body.error.code, refused.body.error.details?.[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'actorId']);
  });

  it('a user who takes no part gets 404 for an action too, as for a read', async () => {
    const refused = await sessions.outsider.request<ErrorBody>('POST', actionsPath(instanceId), { type: 'comment', actionId: uid('a'), comment: '路过' });
    expect([refused.status, refused.body.error.code]).toEqual([404, 'INSTANCE_NOT_FOUND']);
  });
});

describe('visibility (SPEC §7)', () => {
  const expectedToSee: Record<Role, boolean> = {
    initiator: true,
    pastAssignee: true,
    ccRecipient: true,
    delegator: true,
    delegate: true,
    flowAdmin: true,
    approvalAdmin: true,
    outsider: false,
  };

  it('users: every read route of the instance answers its participants and 404 to anyone else', async () => {
    const matrix: Array<Record<string, string | number>> = [];
    for (const role of Object.keys(people) as Role[]) {
      const row: Record<string, string | number> = { viewer: `${role} (${people[role]})` };
      for (const [name, target] of Object.entries(readRoutes(instanceId))) row[name] = (await sessions[role].request('GET', target)).status;
      matrix.push(row);
      const expected = expectedToSee[role] ? 200 : 404;
      expect(row).toEqual({ viewer: row.viewer, instance: expected, timeline: expected, route: expected, form: expected });
    }
    const notFound = await sessions.outsider.request<ErrorBody>('GET', instancePath(instanceId));
    expect(notFound.body.error.code).toBe('INSTANCE_NOT_FOUND');
    console.log(`visibility matrix, users (HTTP status per read route):\n${formatTable(matrix)}`);
  });

  it('apps: an app sees the instances it started; read_all and admin see every one; the lists follow', async () => {
    const starter = await stack.appWith(['start', 'act_for']);
    const own = await expectOk<{ instanceId: string }>(starter.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
    await waitForView(stack.api, own.instanceId, hasPendingTasks);
    const readAll = await stack.appWith(['read_all']);
    const bare = await stack.appWith([]);
    const apps = { 'stack app (admin)': stack.api, 'starter (start, act_for)': starter, read_all: readAll, 'no permission': bare };
    const expected: Record<string, [boolean, boolean]> = {
      'stack app (admin)': [true, true],
      'starter (start, act_for)': [false, true],
      read_all: [true, true],
      'no permission': [false, false],
    };
    const matrix: Array<Record<string, string | number>> = [];
    for (const [name, client] of Object.entries(apps)) {
      for (const [which, id] of [
        ['another app’s', instanceId],
        ['its own', own.instanceId],
      ] as const) {
        const row: Record<string, string | number> = { app: name, of: which };
        for (const [route, target] of Object.entries(readRoutes(id))) row[route] = (await client.request('GET', target)).status;
        row.notifications = (await client.request('GET', `${instancePath(id)}/notifications`)).status;
        matrix.push(row);
        const sees = expected[name]![which === 'its own' ? 1 : 0] ? 200 : 404;
        expect(row).toEqual({ app: name, of: which, instance: sees, timeline: sees, route: sees, form: sees, notifications: sees });
      }
    }
    console.log(`visibility matrix, apps (HTTP status per read route):\n${formatTable(matrix)}`);

    const starterTasks = await expectOk<{ items: Array<{ instanceId: string }> }>(
      starter.request('GET', '/api/v1/tasks?assignee=u_a&status=pending&limit=100'),
    );
    expect(new Set(starterTasks.items.map((t) => t.instanceId))).toEqual(new Set([own.instanceId]));
    const allTasks = await expectOk<{ items: Array<{ instanceId: string }> }>(readAll.request('GET', '/api/v1/tasks?status=closed&limit=100'));
    expect(allTasks.items.map((t) => t.instanceId)).toContain(instanceId);
    const starterList = await expectOk<{ items: Array<{ instanceId: string }> }>(starter.request('GET', '/api/v1/instances?initiatorId=u_initiator&limit=100'));
    expect(starterList.items.map((i) => i.instanceId)).toEqual([own.instanceId]);
  });

  it('a user reads only their own lists', async () => {
    const others = await sessions.outsider.request<ErrorBody>('GET', '/api/v1/tasks?assignee=u_e');
    expect([others.status, others.body.error.code]).toEqual([403, 'NOT_OWN_LIST']);
    const mine = await expectOk<{ items: Array<{ assigneeId: string; instanceId: string; status: string }> }>(
      sessions.delegate.request('GET', '/api/v1/tasks'),
    );
    expect(mine.items.map((t) => [t.instanceId, t.assigneeId, t.status])).toContainEqual([instanceId, 'u_e', 'pending']);
    const done = await expectOk<{ items: Array<{ instanceId: string; status: string }> }>(sessions.pastAssignee.request('GET', '/api/v1/tasks?status=closed'));
    expect(done.items).toContainEqual(expect.objectContaining({ instanceId, status: 'approved' }));

    const started = await expectOk<{ items: Array<{ instanceId: string; flowName: string }> }>(
      sessions.initiator.request('GET', '/api/v1/instances?initiatorId=u_initiator'),
    );
    expect(started.items.map((i) => i.instanceId)).toContain(instanceId);
    const someoneElses = await sessions.outsider.request<ErrorBody>('GET', '/api/v1/instances?initiatorId=u_initiator');
    expect([someoneElses.status, someoneElses.body.error.code]).toEqual([403, 'NOT_OWN_LIST']);
  });
});

describe('抄送我的', () => {
  it('lists the cc notice unread, marks it read once, and nobody else can mark it', async () => {
    const inbox = await pollUntil(
      'the cc notice',
      () =>
        expectOk<{ items: Array<{ ccId: string; instanceId: string; readAt?: string; title: string }> }>(
          sessions.ccRecipient.request('GET', '/api/v1/cc?unread=true'),
        ),
      (page) => page.items.some((i) => i.instanceId === instanceId),
    );
    const item = inbox.items.find((i) => i.instanceId === instanceId)!;
    expect(item.readAt).toBeUndefined();
    expect(item.title).toContain('抄送');

    const stranger = await sessions.outsider.request<ErrorBody>('POST', `/api/v1/cc/${item.ccId}/read`);
    expect([stranger.status, stranger.body.error.code]).toEqual([404, 'CC_NOT_FOUND']);
    const read = await expectOk<{ readAt: string }>(sessions.ccRecipient.request('POST', `/api/v1/cc/${item.ccId}/read`));
    const again = await expectOk<{ readAt: string }>(sessions.ccRecipient.request('POST', `/api/v1/cc/${item.ccId}/read`));
    expect(again.readAt).toBe(read.readAt);
    const unread = await expectOk<{ items: Array<{ ccId: string }> }>(sessions.ccRecipient.request('GET', '/api/v1/cc?unread=true'));
    expect(unread.items.map((i) => i.ccId)).not.toContain(item.ccId);
    const all = await expectOk<{ items: Array<{ ccId: string; readAt?: string }> }>(sessions.ccRecipient.request('GET', '/api/v1/cc'));
    expect(all.items.find((i) => i.ccId === item.ccId)?.readAt).toBe(read.readAt);
  });
});

describe('the instance page’s data', () => {
  it('the route: start and 经理 done with its task, the cc sent, 总监 current, the end to come — with everyone’s names', async () => {
    const route = await expectOk<{ nodes: Array<{ nodeId: string; state: string; taskIds?: string[] }>; people: Record<string, string> }>(
      sessions.delegate.request('GET', `${instancePath(instanceId)}/route`),
    );
    expect(route.nodes.map((n) => [n.nodeId, n.state])).toEqual([
      ['start', 'done'],
      ['manager', 'done'],
      ['notify', 'done'],
      ['director', 'current'],
      ['end', 'upcoming'],
    ]);
    const view = await expectOk<InstanceView>(stack.api.request('GET', instancePath(instanceId)));
    expect(route.nodes[1]!.taskIds).toEqual([taskOf(view, 'u_a').taskId]);
    expect(route.people).toMatchObject({ u_initiator: '发起人', u_a: '审批人甲', u_e: '审批人戊', u_b: '审批人乙' });
  });

  it('a new instance’s route shows whom the org gives the nodes to come; the form carries labels and values', async () => {
    const started = await expectOk<{ instanceId: string }>(
      stack.api.request('POST', '/api/v1/instances', startBody(flowCode, uid('BK'), { amount: 1800, title: '显示器' })),
      201,
    );
    await waitForView(stack.api, started.instanceId, hasPendingTasks);
    const route = await expectOk<{
      nodes: Array<{ nodeId: string; state: string; approvers?: Array<{ userId: string; delegatedFrom?: string }>; recipients?: string[] }>;
    }>(stack.api.request('GET', `${instancePath(started.instanceId)}/route`));
    expect(route.nodes.find((n) => n.nodeId === 'director')).toMatchObject({ state: 'upcoming', approvers: [{ userId: 'u_e', delegatedFrom: 'u_b' }] });
    expect(route.nodes.find((n) => n.nodeId === 'notify')).toMatchObject({ state: 'upcoming', recipients: ['u_c'] });
    const form = await expectOk<{ fields: unknown[] }>(stack.api.request('GET', `${instancePath(started.instanceId)}/form`));
    expect(form.fields).toEqual([
      { key: 'amount', label: 'amount', type: 'number', required: true, value: 1800 },
      { key: 'title', label: 'title', type: 'string', required: false, value: '显示器' },
    ]);
  });

  it('the user picker finds people by name, id prefix and mobile tail, active ones only', async () => {
    const byName = await expectOk<{ items: Array<{ id: string }> }>(sessions.initiator.request('GET', `/api/v1/users?q=${encodeURIComponent('审批人')}`));
    expect(byName.items.map((u) => u.id).sort()).toEqual(
      actionUsers
        .filter((u) => u.name.startsWith('审批人'))
        .map((u) => u.id)
        .sort(),
    );
    const byMobile = await expectOk<{ items: Array<{ id: string }> }>(sessions.initiator.request('GET', '/api/v1/users?q=8123'));
    expect(byMobile.items.map((u) => u.id)).toEqual(['u_mobile']);
    const byId = await expectOk<{ items: Array<{ id: string }> }>(stack.api.request('GET', '/api/v1/users?q=u_adm'));
    expect(byId.items.map((u) => u.id)).toEqual(['u_admin']);
    const wildcard = await expectOk<{ items: unknown[] }>(stack.api.request('GET', '/api/v1/users?q=%25'));
    expect(wildcard.items).toEqual([]);
  });
});

function formatTable(rows: Array<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? {});
  const width = (c: string) => Math.max(c.length, ...rows.map((r) => String(r[c]).length));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(width(columns[i]!))).join(' | ')} |`;
  return [line(columns), line(columns.map((c) => '-'.repeat(width(c)))), ...rows.map((r) => line(columns.map((c) => String(r[c]))))].join('\n');
}
