import { eq } from 'drizzle-orm';
import { flowDefinitions, flowVersions, users } from '../../db/schema';
import type { FlowDefinition } from '../../engine/dsl';
import { expectOk, oneApprovalFlow, uid } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

describe('definitions', () => {
  it('saves a draft, publishes immutable versions n+1, and reads them back', async () => {
    const code = uid('def');
    const draft = oneApprovalFlow(code, ['u_a']);
    const saved = await stack.api.request('POST', '/api/v1/definitions', draft);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ code, latestVersion: null });
    expect(await expectOk(stack.api.request('POST', `/api/v1/definitions/${code}/publish`), 201)).toEqual({ code, version: 1 });
    // Publishing an unchanged draft again answers the same version.
    expect(await expectOk(stack.api.request('POST', `/api/v1/definitions/${code}/publish`))).toEqual({ code, version: 1 });

    const changed: FlowDefinition = { ...draft, name: '改名后的流程' };
    expect((await stack.api.request('POST', '/api/v1/definitions', changed)).status).toBe(200);
    expect(await expectOk(stack.api.request('POST', `/api/v1/definitions/${code}/publish`), 201)).toEqual({ code, version: 2 });

    const read = await expectOk<{ latestVersion: number; versions: Array<{ version: number }>; draft: FlowDefinition }>(
      stack.api.request('GET', `/api/v1/definitions/${code}`),
    );
    expect(read.latestVersion).toBe(2);
    expect(read.versions.map((v) => v.version)).toEqual([1, 2]);
    const v1 = await expectOk<{ version: number; definition: FlowDefinition }>(stack.api.request('GET', `/api/v1/definitions/${code}/versions/1`));
    expect(v1.definition.name).toBe(draft.name);
    expect((await stack.api.request('GET', `/api/v1/definitions/${code}/versions/3`)).status).toBe(404);
    expect((await stack.api.request('GET', `/api/v1/definitions/${code}/versions/x`)).status).toBe(400);
  });

  it('publish of a broken graph answers 422 INVALID_DEFINITION with one detail per problem, naming node and field, and writes no version', async () => {
    const code = uid('broken');
    const broken = {
      code,
      name: '坏流程',
      form: { fields: [] },
      nodes: [
        { id: 'start', type: 'start', next: 'a' },
        { id: 'a', type: 'approval', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'nowhere' },
        { id: 'end', type: 'end' },
      ],
    };
    expect((await stack.api.request('POST', '/api/v1/definitions', broken)).status).toBe(201);
    const response = await stack.api.request('POST', `/api/v1/definitions/${code}/publish`);
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: {
        code: 'INVALID_DEFINITION',
        message: expect.any(String),
        details: [{ nodeId: 'a', field: 'next', message: expect.stringContaining('nowhere') }],
      },
    });
    expect(await stack.database.db.select().from(flowVersions).where(eq(flowVersions.code, code))).toEqual([]);
  });

  it('a draft that breaks the DSL schema answers 422 naming node and field, and is not saved', async () => {
    const code = uid('shape');
    const bad = {
      code,
      name: 'x',
      nodes: [
        { id: 'start', type: 'start', next: 'a' },
        { id: 'a', type: 'approval', approvers: { type: 'users', ids: [] }, mode: 'any', next: 'end' },
        { id: 'end', type: 'end' },
      ],
    };
    const response = await stack.api.request('POST', '/api/v1/definitions', bad);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ error: { code: 'INVALID_DEFINITION', details: [{ nodeId: 'a', field: 'approvers.ids' }] } });
    expect(await stack.database.db.select().from(flowDefinitions).where(eq(flowDefinitions.code, code))).toEqual([]);
  });

  it('publishing an unknown flow answers 404', async () => {
    const response = await stack.api.request('POST', '/api/v1/definitions/no_such_flow/publish');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'FLOW_NOT_FOUND' } });
  });
});

describe('org push: POST /sync/users', () => {
  it('incremental upserts; full also deactivates who the list leaves out', async () => {
    const first = await expectOk(
      stack.api.request('POST', '/api/v1/sync/users', {
        mode: 'incremental',
        users: [
          { id: 'u_1', name: '一', deptIds: ['d1'], mobile: '13800000001', dingtalkUserId: 'dt1', erpUserId: 'erp1' },
          { id: 'u_2', name: '二', deptIds: ['d1'], managerId: 'u_1', roles: ['finance'] },
        ],
      }),
    );
    expect(first).toEqual({ upserted: 2, deactivated: 0, bound: [] });
    const full = await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: [{ id: 'u_2', name: '二号', deptIds: ['d2'] }] }));
    expect(full).toEqual({ upserted: 1, deactivated: 1, bound: [], handedOver: { instances: 0, failed: 0 } });
    const rows = await stack.database.db.select().from(users).orderBy(users.id);
    expect(rows.map((u) => [u.id, u.name, u.active, u.deptIds])).toEqual([
      ['u_1', '一', false, ['d1']],
      ['u_2', '二号', true, ['d2']],
    ]);
    expect(rows[0]).toMatchObject({ mobile: '13800000001', dingtalkUserId: 'dt1', erpUserId: 'erp1' });
  });

  it.each([
    ['a missing name', [{ id: 'u_10', deptIds: [] }], 'users.0.name'],
    [
      'a duplicate id',
      [
        { id: 'u_9', name: '九', deptIds: [] },
        { id: 'u_9', name: '九again', deptIds: [] },
      ],
      'users.1.id',
    ],
    ['a bad email', [{ id: 'u_11', name: '十一', deptIds: [], email: 'not-mail' }], 'users.0.email'],
  ])('a user list with %s answers 400 naming the field and writes nothing', async (_case, list, field) => {
    const before = await stack.database.db.select().from(users);
    const response = await stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: list });
    expect(response.status).toBe(400);
    const fields = (response.body as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
    expect(fields).toEqual([field]);
    expect(await stack.database.db.select().from(users)).toEqual(before);
  });
});
