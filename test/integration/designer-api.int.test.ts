import type { FlowDefinition } from '../../engine/dsl';
import type { DefinitionProblem } from '../../engine/definition-errors';
import type { PreviewNode } from '../../engine/preview';
import { approval, chainFlow } from '../support/engine-fixtures';
import { expectOk, oneApprovalFlow, uid } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';
import { logInAs, type UserClient } from '../support/user-sessions';

/**
 * The flow designer's API: the definition routes for users who design a flow (an
 * approval_admin, or one listed in a flow's `admins`), the flow list, validate and preview of
 * an unsaved definition, and the pickers (roles, departments, department members, ERP systems).
 *
 *   u_admin: approval_admin;  u_designer: admins of `flowA`;  u_drafter: admins of the unpublished draft `flowD`;  u_plain: nothing
 */

interface ErrorBody {
  error: { code: string; details?: unknown };
}
interface FlowItem {
  code: string;
  name: string;
  latestVersion: number | null;
  updatedAt: string;
  publishedAt: string | null;
  draftChanged: boolean;
}
interface DefinitionCheck {
  valid: boolean;
  problems: DefinitionProblem[];
}

let stack: TestStack;
const sessions = {} as Record<'admin' | 'designer' | 'drafter' | 'plain', UserClient>;
const suffix = uid('x').slice(2);
/** Published by the app, with u_designer as its admin. */
const flowA = `dz_a_${suffix}`;
/** Published by the app, no admins. */
const flowB = `dz_b_${suffix}`;
/** A draft never published, with u_drafter as its admin. */
const flowD = `dz_d_${suffix}`;

const erpSecret = `designer-secret-${suffix}`;
const erpToken = `designer-token-${suffix}`;
const erpSystem = {
  code: `dz_sys_a_${suffix}`,
  name: '设计器测试 ERP',
  baseUrl: 'http://127.0.0.1:9/designer-erp',
  auth: { type: 'hmac', appKey: 'designer-erp-key', secret: erpSecret },
  operations: { reserve: { method: 'POST', path: '/reserve' }, check: { method: 'GET', path: '/check' } },
  writeBack: { method: 'POST', path: '/result' },
};
const bearerSystem = { code: `dz_sys_b_${suffix}`, baseUrl: 'http://127.0.0.1:9/other', auth: { type: 'bearer', token: erpToken }, operations: {} };

const users = [
  { id: 'u_initiator', name: '发起人', deptIds: ['d1'], managerId: 'u_a' },
  { id: 'u_a', name: '审批人甲', deptIds: ['d1'], roles: ['buyer'] },
  { id: 'u_b', name: '审批人乙', deptIds: ['d1', 'd2'], roles: ['buyer'] },
  { id: 'u_admin', name: '审批管理员', deptIds: ['d_root'], roles: ['approval_admin'] },
  { id: 'u_designer', name: '流程设计人', deptIds: ['d2'] },
  { id: 'u_drafter', name: '草稿设计人', deptIds: ['d2'] },
  { id: 'u_plain', name: '普通用户', deptIds: ['d2'] },
];
const departments = [
  { id: 'd_root', name: 'Head office', leaderIds: ['u_admin'] },
  { id: 'd1', name: 'Purchasing', parentId: 'd_root', leaderIds: ['u_a'] },
  { id: 'd2', name: 'Sales', parentId: 'd_root' },
];

const named = (definition: FlowDefinition, name: string): FlowDefinition => ({ ...definition, name });

beforeAll(async () => {
  stack = await startTestStack({ devLogin: true });
  // Pushed with a user and a department that a full push then deactivates: the pickers list active ones only.
  const gone = { id: 'u_gone', name: '离职', deptIds: ['d1'], roles: ['buyer', 'ghost_role'] };
  await expectOk(stack.api.request('POST', '/api/v1/sync/departments', { mode: 'full', departments: [...departments, { id: 'd_gone', name: 'Closed' }] }));
  await expectOk(stack.api.request('POST', '/api/v1/sync/departments', { mode: 'full', departments }));
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: [...users, gone] }));
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users }));
  await expectOk(stack.api.request('POST', '/api/v1/systems', erpSystem), 201);
  await expectOk(stack.api.request('POST', '/api/v1/systems', bearerSystem), 201);
  await publish(stack.api, { ...named(oneApprovalFlow(flowA, ['u_a']), `Alpha ${suffix}`), admins: ['u_designer'] });
  await publish(stack.api, named(oneApprovalFlow(flowB, ['u_a']), `Beta ${suffix}`));
  await expectOk(
    stack.api.request('POST', '/api/v1/definitions', { ...named(oneApprovalFlow(flowD, ['u_a']), `Delta ${suffix}`), admins: ['u_drafter'] }),
    201,
  );
  sessions.admin = await logInAs(stack, 'u_admin');
  sessions.designer = await logInAs(stack, 'u_designer');
  sessions.drafter = await logInAs(stack, 'u_drafter');
  sessions.plain = await logInAs(stack, 'u_plain');
}, 60_000);
afterAll(() => stack?.stop());

type Caller = Pick<UserClient, 'request'>;

async function publish(caller: Caller, definition: FlowDefinition): Promise<number> {
  const saved = await caller.request('POST', '/api/v1/definitions', definition);
  if (saved.status !== 201 && saved.status !== 200) throw new Error(`saving ${definition.code}: ${saved.status} ${JSON.stringify(saved.body)}`);
  const published = await caller.request<{ version: number }>('POST', `/api/v1/definitions/${definition.code}/publish`);
  if (published.status !== 201 && published.status !== 200)
    throw new Error(`publishing ${definition.code}: ${published.status} ${JSON.stringify(published.body)}`);
  return published.body.version;
}

const errorOf = (response: { status: number; body: unknown }) => [response.status, (response.body as ErrorBody | undefined)?.error?.code];
const listOf = async (caller: Caller) => (await expectOk<{ items: FlowItem[] }>(caller.request('GET', '/api/v1/definitions'))).items;
const codesOf = (items: FlowItem[]) => items.map((i) => i.code);

/** Every row of the flow tables, as text: what "nothing written" compares. */
async function flowTables(): Promise<string[]> {
  const rows = await stack.database.sql<Array<{ row: string }>>`
    select 'definition ' || row_to_json(d)::text as row from flow_definitions d
    union all select 'version ' || row_to_json(v)::text from flow_versions v
    order by 1`;
  return rows.map((r) => r.row);
}

describe('GET /definitions', () => {
  it('lists every flow for an app, by name, with its latest version and whether the draft changed', async () => {
    const items = await listOf(stack.api);
    expect(codesOf(items)).toEqual([flowA, flowB, flowD]);
    expect(items[0]).toEqual({
      code: flowA,
      name: `Alpha ${suffix}`,
      latestVersion: 1,
      updatedAt: expect.any(String),
      publishedAt: expect.any(String),
      draftChanged: false,
    });
    expect(items[2]).toEqual({
      code: flowD,
      name: `Delta ${suffix}`,
      latestVersion: null,
      updatedAt: expect.any(String),
      publishedAt: null,
      draftChanged: true,
    });
  });

  it('lists every flow for an approval_admin, only their flows for a listed admin (of the draft or of the latest version), none for others', async () => {
    expect(codesOf(await listOf(sessions.admin))).toEqual([flowA, flowB, flowD]);
    expect(codesOf(await listOf(sessions.designer))).toEqual([flowA]);
    expect(codesOf(await listOf(sessions.drafter))).toEqual([flowD]);
    expect(await listOf(sessions.plain)).toEqual([]);
  });

  it('marks a draft saved after the latest version as changed, and not once it is published', async () => {
    const code = uid('dz_changed');
    const definition = oneApprovalFlow(code, ['u_a']);
    await publish(stack.api, definition);
    await expectOk(stack.api.request('POST', '/api/v1/definitions', { ...definition, description: '改过了' }));
    expect((await listOf(stack.api)).find((i) => i.code === code)).toMatchObject({ latestVersion: 1, draftChanged: true });
    await expectOk(stack.api.request('POST', `/api/v1/definitions/${code}/publish`), 201);
    expect((await listOf(stack.api)).find((i) => i.code === code)).toMatchObject({ latestVersion: 2, draftChanged: false });
  });
});

describe('the definition routes with a session', () => {
  it('an approval_admin creates, publishes and reads a new flow', async () => {
    const code = uid('dz_new');
    const definition = oneApprovalFlow(code, ['u_a']);
    expect((await sessions.admin.request('POST', '/api/v1/definitions', definition)).status).toBe(201);
    expect(await expectOk(sessions.admin.request('POST', `/api/v1/definitions/${code}/publish`), 201)).toEqual({ code, version: 1 });
    const read = await expectOk<{ latestVersion: number; draft: FlowDefinition }>(sessions.admin.request('GET', `/api/v1/definitions/${code}`));
    expect(read).toMatchObject({ latestVersion: 1, draft: definition });
    const version = await expectOk<{ definition: FlowDefinition }>(sessions.admin.request('GET', `/api/v1/definitions/${code}/versions/1`));
    expect(version.definition).toEqual(definition);
    expect(errorOf(await sessions.admin.request('GET', `/api/v1/definitions/${uid('dz_none')}`))).toEqual([404, 'FLOW_NOT_FOUND']);
  });

  it('a listed admin saves, publishes and reads their flow', async () => {
    const code = uid('dz_own');
    await publish(stack.api, { ...oneApprovalFlow(code, ['u_a']), admins: ['u_designer'] });
    const changed = { ...oneApprovalFlow(code, ['u_b']), admins: ['u_designer'] };
    expect((await sessions.designer.request('POST', '/api/v1/definitions', changed)).status).toBe(200);
    expect(await expectOk(sessions.designer.request('POST', `/api/v1/definitions/${code}/publish`), 201)).toEqual({ code, version: 2 });
    const read = await expectOk<{ latestVersion: number; draft: FlowDefinition; versions: unknown[] }>(
      sessions.designer.request('GET', `/api/v1/definitions/${code}`),
    );
    expect(read).toMatchObject({ latestVersion: 2, draft: changed });
    expect(read.versions).toHaveLength(2);
    expect((await sessions.designer.request('GET', `/api/v1/definitions/${code}/versions/1`)).status).toBe(200);
  });

  it('a listed admin who drops themselves from the draft still designs the flow by its latest version', async () => {
    const code = uid('dz_drop');
    await publish(stack.api, { ...oneApprovalFlow(code, ['u_a']), admins: ['u_designer'] });
    expect((await sessions.designer.request('POST', '/api/v1/definitions', { ...oneApprovalFlow(code, ['u_a']), admins: ['u_b'] })).status).toBe(200);
    expect((await sessions.designer.request('GET', `/api/v1/definitions/${code}`)).status).toBe(200);
    expect(await expectOk(sessions.designer.request('POST', `/api/v1/definitions/${code}/publish`), 201)).toEqual({ code, version: 2 });
    expect(errorOf(await sessions.designer.request('GET', `/api/v1/definitions/${code}`))).toEqual([403, 'NOT_FLOW_ADMIN']);
  });

  it('refuses a user who does not design the flow (403 NOT_FLOW_ADMIN) on every route, and writes nothing', async () => {
    const before = await flowTables();
    const definition = { ...oneApprovalFlow(flowA, ['u_b']), admins: ['u_plain'] };
    const refused = [
      await sessions.plain.request('POST', '/api/v1/definitions', definition),
      await sessions.plain.request('POST', `/api/v1/definitions/${flowA}/publish`),
      await sessions.plain.request('GET', `/api/v1/definitions/${flowA}`),
      await sessions.plain.request('GET', `/api/v1/definitions/${flowA}/versions/1`),
      await sessions.plain.request('POST', '/api/v1/definitions/validate', definition),
      await sessions.plain.request('POST', '/api/v1/definitions/preview', { definition, initiatorId: 'u_initiator', form: { amount: 1 } }),
      await sessions.plain.request('GET', '/api/v1/systems'),
      // The admin of one flow designs no other.
      await sessions.designer.request('POST', '/api/v1/definitions', { ...oneApprovalFlow(flowB, ['u_b']), admins: ['u_designer'] }),
      await sessions.designer.request('POST', `/api/v1/definitions/${flowB}/publish`),
      await sessions.designer.request('GET', `/api/v1/definitions/${flowB}`),
    ];
    expect(refused.map(errorOf)).toEqual(refused.map(() => [403, 'NOT_FLOW_ADMIN']));
    expect(await flowTables()).toEqual(before);
  });

  it('refuses a new flow code from anyone but an approval_admin, even naming themselves its admin', async () => {
    const before = await flowTables();
    const code = uid('dz_refused');
    const definition = { ...oneApprovalFlow(code, ['u_a']), admins: ['u_designer'] };
    expect(errorOf(await sessions.designer.request('POST', '/api/v1/definitions', definition))).toEqual([403, 'NOT_FLOW_ADMIN']);
    expect(errorOf(await sessions.designer.request('POST', '/api/v1/definitions/validate', definition))).toEqual([403, 'NOT_FLOW_ADMIN']);
    expect(errorOf(await sessions.designer.request('POST', '/api/v1/definitions/validate', { name: 'no code' }))).toEqual([403, 'NOT_FLOW_ADMIN']);
    expect(errorOf(await sessions.designer.request('POST', `/api/v1/definitions/${code}/publish`))).toEqual([403, 'NOT_FLOW_ADMIN']);
    expect(await flowTables()).toEqual(before);
  });

  it('keeps apps with `admin` as they were', async () => {
    const code = uid('dz_app');
    expect(await publish(stack.api, oneApprovalFlow(code, ['u_a']))).toBe(1);
    expect((await stack.api.request('GET', `/api/v1/definitions/${code}`)).status).toBe(200);
  });
});

describe('two admins on one draft (If-Match)', () => {
  interface Draft {
    draft: FlowDefinition;
    revision: string;
    updatedAt: string;
  }
  const save = (definition: FlowDefinition, ifMatch?: string) =>
    stack.api.requestRaw<Draft & ErrorBody>('POST', '/api/v1/definitions', JSON.stringify(definition), ifMatch === undefined ? {} : { 'If-Match': ifMatch });
  const publishAt = (code: string, ifMatch: string) =>
    stack.api.requestRaw<{ version: number } & ErrorBody>('POST', `/api/v1/definitions/${code}/publish`, '', { 'If-Match': ifMatch });

  it('a save or publish naming the revision read goes through; one naming a revision saved over since answers 409 DRAFT_CHANGED and writes nothing', async () => {
    const code = uid('dz_lock');
    const first = oneApprovalFlow(code, ['u_a']);
    expect((await save(first)).status).toBe(201);
    const read = await expectOk<Draft>(stack.api.request('GET', `/api/v1/definitions/${code}`));
    expect(read.revision).toBe(read.updatedAt);

    // Admin A saves over what they read (an ETag-style quoted value is taken too); admin B still holds that revision.
    const mine = await save(named(first, 'A 的修改'), `"${read.revision}"`);
    expect(mine.status).toBe(200);
    expect(mine.body.revision).not.toBe(read.revision);
    const before = await flowTables();
    const theirs = await save(named(first, 'B 的修改'), read.revision);
    expect(errorOf(theirs)).toEqual([409, 'DRAFT_CHANGED']);
    expect(theirs.body.error.details).toEqual([{ field: 'If-Match', message: `the draft's revision is now ${mine.body.revision}` }]);
    expect(errorOf(await publishAt(code, read.revision))).toEqual([409, 'DRAFT_CHANGED']);
    expect(await flowTables()).toEqual(before);

    const published = await publishAt(code, mine.body.revision);
    expect([published.status, published.body.version]).toEqual([201, 1]);
    expect((await expectOk<{ definition: FlowDefinition }>(stack.api.request('GET', `/api/v1/definitions/${code}/versions/1`))).definition.name).toBe(
      'A 的修改',
    );
    // Without If-Match the last save wins, as before.
    expect((await save(named(first, 'C'))).status).toBe(200);
    expect(errorOf(await save(oneApprovalFlow(uid('dz_none'), ['u_a']), read.revision))).toEqual([409, 'DRAFT_CHANGED']);
  });
});

describe('POST /definitions/validate', () => {
  /** What publishing the definition answers: saved by the app as a new flow's draft, then published. */
  async function publishProblems(definition: FlowDefinition): Promise<unknown> {
    await expectOk(stack.api.request('POST', '/api/v1/definitions', definition), 201);
    const published = await stack.api.request<ErrorBody>('POST', `/api/v1/definitions/${definition.code}/publish`);
    expect(errorOf(published)).toEqual([422, 'INVALID_DEFINITION']);
    return published.body.error.details;
  }

  const withGraphProblem = (code: string) =>
    chainFlow(code, [
      approval('mgr', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'nowhere' }),
      approval('orphan', { approvers: { type: 'users', ids: ['u_b'] }, mode: 'any' }),
    ]);
  const withServiceProblem = (code: string) =>
    chainFlow(code, [
      {
        id: 'reserve',
        type: 'service',
        call: { system: erpSystem.code, operation: 'no_such_operation' },
        compensate: { system: 'no_such_system', operation: 'x' },
      },
    ]);

  it.each([
    ['a graph problem', withGraphProblem],
    ['service nodes naming what is not registered', withServiceProblem],
  ])('answers the problems publishing would (%s), writing nothing', async (_name, build) => {
    const definition = build(uid('dz_bad'));
    const before = await flowTables();
    const checked = await expectOk<DefinitionCheck>(sessions.admin.request('POST', '/api/v1/definitions/validate', definition));
    expect(await flowTables()).toEqual(before);
    expect(checked.valid).toBe(false);
    expect(checked.problems.length).toBeGreaterThan(0);
    expect(checked.problems).toEqual(await publishProblems(definition));
  });

  it('answers the problems saving would for a document not of the DSL’s shape', async () => {
    const document = {
      ...oneApprovalFlow(uid('dz_shape'), ['u_a']),
      nodes: [
        { id: 'start', type: 'start', next: 'end' },
        { id: 'end', type: 'wormhole' },
      ],
    };
    const checked = await expectOk<DefinitionCheck>(stack.api.request('POST', '/api/v1/definitions/validate', document));
    const saved = await stack.api.request<ErrorBody>('POST', '/api/v1/definitions', document);
    expect(errorOf(saved)).toEqual([422, 'INVALID_DEFINITION']);
    expect(checked).toEqual({ valid: false, problems: saved.body.error.details });
  });

  it('answers valid for a publishable definition (a new code for an approval_admin, their flow for its admin), writing nothing', async () => {
    const before = await flowTables();
    const fresh = withServiceNode(uid('dz_good'));
    expect(await expectOk(sessions.admin.request('POST', '/api/v1/definitions/validate', fresh))).toEqual({ valid: true, problems: [] });
    expect(await expectOk(sessions.designer.request('POST', '/api/v1/definitions/validate', oneApprovalFlow(flowA, ['u_b'])))).toEqual({
      valid: true,
      problems: [],
    });
    expect(await flowTables()).toEqual(before);
  });
});

/** start → reserve (a registered operation) → mgr (the initiator's manager) → by_amount ─ amount > 1000 → big (role buyer, all) ─┬→ notify (cc u_b) → end; default ─┘ */
function withServiceNode(code = uid('dz_route')): FlowDefinition {
  return chainFlow(code, [
    { id: 'reserve', type: 'service', name: '预占', call: { system: erpSystem.code, operation: 'reserve' }, next: 'mgr' },
    approval('mgr', { name: '主管', approvers: { type: 'manager', levels: 1 }, mode: 'any', next: 'by_amount' }),
    { id: 'by_amount', type: 'condition', branches: [{ when: { all: [{ field: 'amount', op: '>', value: 1000 }] }, next: 'big' }], default: 'notify' },
    approval('big', { name: '采购', approvers: { type: 'role', role: 'buyer' }, mode: 'all', next: 'notify' }),
    { id: 'notify', type: 'cc', name: '抄送', recipients: { type: 'users', ids: ['u_b'] }, next: 'end' },
  ]);
}

describe('POST /definitions/preview', () => {
  it.each([
    ['the branch over 1000', { amount: 5000 }],
    ['the default branch', { amount: 10 }],
  ])('gives the nodes the published preview gives for the same definition (%s)', async (_name, form) => {
    const definition = withServiceNode();
    const body = { initiatorId: 'u_initiator', form };
    const draft = await expectOk<{ flowCode: string; nodes: PreviewNode[] }>(
      sessions.admin.request('POST', '/api/v1/definitions/preview', { definition, ...body }),
    );
    expect(draft.flowCode).toBe(definition.code);
    await publish(stack.api, definition);
    const published = await expectOk<{ nodes: PreviewNode[] }>(stack.api.request('POST', `/api/v1/definitions/${definition.code}/preview`, body));
    expect(draft.nodes).toEqual(published.nodes);
    expect(draft.nodes.find((n) => n.nodeId === 'mgr')?.approvers).toEqual([{ userId: 'u_a' }]);
  });

  it('previews for an app, and for the admin of the flow', async () => {
    const body = { definition: oneApprovalFlow(flowA, ['u_b']), initiatorId: 'u_initiator', form: { amount: 1 } };
    const byApp = await expectOk<{ nodes: PreviewNode[] }>(stack.api.request('POST', '/api/v1/definitions/preview', body));
    expect(byApp.nodes.map((n) => n.nodeId)).toEqual(['start', 'approve', 'end']);
    expect(await expectOk(sessions.designer.request('POST', '/api/v1/definitions/preview', body))).toEqual(byApp);
  });

  it('answers 422 INVALID_DEFINITION with the problems validate names for a definition publishing would refuse, writing nothing', async () => {
    const definition = chainFlow(uid('dz_unpublishable'), [approval('mgr', { approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'nowhere' })]);
    const before = await flowTables();
    const previewed = await sessions.admin.request<ErrorBody>('POST', '/api/v1/definitions/preview', {
      definition,
      initiatorId: 'u_initiator',
      form: { amount: 1 },
    });
    expect(errorOf(previewed)).toEqual([422, 'INVALID_DEFINITION']);
    const checked = await expectOk<DefinitionCheck>(sessions.admin.request('POST', '/api/v1/definitions/validate', definition));
    expect(previewed.body.error.details).toEqual(checked.problems);
    expect(await flowTables()).toEqual(before);
  });

  it('checks the rest as the published preview does: fields (400), the form (400), the initiator (422)', async () => {
    const definition = oneApprovalFlow(uid('dz_inputs'), ['u_a']);
    expect(errorOf(await stack.api.request('POST', '/api/v1/definitions/preview', { definition, form: { amount: 1 } }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(errorOf(await stack.api.request('POST', '/api/v1/definitions/preview', { initiatorId: 'u_initiator', form: { amount: 1 } }))).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    expect(errorOf(await stack.api.request('POST', '/api/v1/definitions/preview', { definition, initiatorId: 'u_initiator', form: { amount: 'x' } }))).toEqual([
      400,
      'VALIDATION_FAILED',
    ]);
    expect(errorOf(await stack.api.request('POST', '/api/v1/definitions/preview', { definition, initiatorId: 'u_gone', form: { amount: 1 } }))).toEqual([
      422,
      'UNKNOWN_USER',
    ]);
  });
});

describe('the pickers', () => {
  it('GET /roles: the roles active users hold, with how many', async () => {
    const expected = {
      items: [
        { role: 'approval_admin', userCount: 1 },
        { role: 'buyer', userCount: 2 },
      ],
    };
    expect(await expectOk(stack.api.request('GET', '/api/v1/roles'))).toEqual(expected);
    expect(await expectOk(sessions.plain.request('GET', '/api/v1/roles'))).toEqual(expected);
  });

  it('GET /departments: active departments by name, with parent and leaders', async () => {
    const expected = {
      items: [
        { id: 'd_root', name: 'Head office', parentId: null, leaderIds: ['u_admin'] },
        { id: 'd1', name: 'Purchasing', parentId: 'd_root', leaderIds: ['u_a'] },
        { id: 'd2', name: 'Sales', parentId: 'd_root', leaderIds: [] },
      ],
    };
    expect(await expectOk(sessions.plain.request('GET', '/api/v1/departments'))).toEqual(expected);
    expect(await expectOk(stack.api.request('GET', '/api/v1/departments'))).toEqual(expected);
  });

  it('GET /users?deptId=: a department’s active members, with their departments; with q, those matching it too', async () => {
    const members = await expectOk<{ items: Array<{ id: string; deptIds: string[] }> }>(sessions.plain.request('GET', '/api/v1/users?deptId=d1'));
    expect(members.items.map((u) => u.id).sort()).toEqual(['u_a', 'u_b', 'u_initiator']);
    expect(members.items.find((u) => u.id === 'u_b')?.deptIds).toEqual(['d1', 'd2']);
    const both = await expectOk<{ items: Array<{ id: string }> }>(stack.api.request('GET', `/api/v1/users?q=${encodeURIComponent('审批人')}&deptId=d2`));
    expect(both.items.map((u) => u.id)).toEqual(['u_b']);
    const byName = await expectOk<{ items: Array<{ id: string; deptIds: string[] }> }>(sessions.plain.request('GET', '/api/v1/users?q=u_des'));
    expect(byName.items).toEqual([{ id: 'u_designer', name: '流程设计人', deptIds: ['d2'] }]);
  });

  it('GET /users?ids=: those active users by id (the names of the people a definition names), up to 50', async () => {
    const named = await expectOk<{ items: Array<{ id: string; name: string }> }>(sessions.plain.request('GET', '/api/v1/users?ids=u_b,u_a,u_gone,u_nobody'));
    expect(named.items.map((u) => [u.id, u.name]).sort()).toEqual([
      ['u_a', '审批人甲'],
      ['u_b', '审批人乙'],
    ]);
    const tooMany = Array.from({ length: 51 }, (_, i) => `u_${i}`).join(',');
    expect(errorOf(await sessions.plain.request('GET', `/api/v1/users?ids=${tooMany}`))).toEqual([400, 'VALIDATION_FAILED']);
    expect(errorOf(await sessions.plain.request('GET', '/api/v1/users?ids=u_a,,u_b'))).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('GET /users without q, deptId or ids → 400 VALIDATION_FAILED', async () => {
    const refused = await sessions.plain.request<ErrorBody>('GET', '/api/v1/users');
    expect(errorOf(refused)).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused.body.error.details).toEqual([{ field: 'query.q', message: 'give q, deptId or ids (or several)' }]);
    expect(errorOf(await stack.api.request('GET', '/api/v1/users?limit=5'))).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('GET /systems: the registered systems and their operations, without base URL or credentials, for apps and designers', async () => {
    const expected = {
      items: [
        { code: erpSystem.code, name: erpSystem.name, operations: ['check', 'reserve'], hasWriteBack: true },
        { code: bearerSystem.code, name: null, operations: [], hasWriteBack: false },
      ],
    };
    for (const caller of [stack.api, sessions.admin, sessions.designer, sessions.drafter]) {
      const answer = await expectOk(caller.request('GET', '/api/v1/systems'));
      expect(answer).toEqual(expected);
      const text = JSON.stringify(answer);
      for (const secret of [erpSecret, erpToken, erpSystem.baseUrl, erpSystem.auth.appKey]) expect(text).not.toContain(secret);
    }
    expect(errorOf(await sessions.plain.request('GET', '/api/v1/systems'))).toEqual([403, 'NOT_FLOW_ADMIN']);
  });
});
