import { asc } from 'drizzle-orm';
import { delegations, departments } from '../../db/schema';
import { expectOk } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  const users = ['u_boss', 'u_alice', 'u_bob', 'u_carol', 'u_gone'].map((id) => ({ id, name: id, deptIds: [] }));
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users }));
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: users.filter((u) => u.id !== 'u_gone') }));
});
afterAll(() => stack?.stop());

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
}

const pushDepartments = (body: unknown) => stack.api.request<ErrorBody>('POST', '/api/v1/sync/departments', body);
const departmentRows = () => stack.database.db.select().from(departments).orderBy(asc(departments.id));
const treeOf = async () => (await departmentRows()).map((d) => [d.id, d.name, d.parentId, d.leaderIds, d.active]);

describe('org push: POST /sync/departments', () => {
  beforeEach(async () => {
    await stack.database.db.delete(departments);
  });

  it('incremental upserts (parents may come later in the batch or already exist); full deactivates what the list leaves out', async () => {
    const first = await pushDepartments({
      mode: 'incremental',
      departments: [
        { id: 'd_team', name: 'Team', parentId: 'd_ops', leaderIds: ['u_alice'] },
        { id: 'd_ops', name: 'Ops', parentId: 'd_hq' },
        { id: 'd_hq', name: 'HQ', leaderIds: ['u_boss'] },
        { id: 'd_sales', name: 'Sales', parentId: 'd_hq' },
      ],
    });
    expect(first).toEqual({ status: 200, body: { upserted: 4, deactivated: 0 } });
    // An existing department as parent; d_team renamed and moved.
    await expectOk(
      pushDepartments({
        mode: 'incremental',
        departments: [
          { id: 'd_east', name: 'East', parentId: 'd_sales' },
          { id: 'd_team', name: 'Team 2', parentId: 'd_sales', leaderIds: ['u_bob', 'u_carol'] },
        ],
      }),
    );
    expect(await treeOf()).toEqual([
      ['d_east', 'East', 'd_sales', [], true],
      ['d_hq', 'HQ', null, ['u_boss'], true],
      ['d_ops', 'Ops', 'd_hq', [], true],
      ['d_sales', 'Sales', 'd_hq', [], true],
      ['d_team', 'Team 2', 'd_sales', ['u_bob', 'u_carol'], true],
    ]);

    const full = await pushDepartments({
      mode: 'full',
      departments: [
        { id: 'd_hq', name: 'HQ' },
        { id: 'd_ops', name: 'Ops', parentId: 'd_hq' },
      ],
    });
    expect(full).toEqual({ status: 200, body: { upserted: 2, deactivated: 3 } });
    expect((await departmentRows()).map((d) => [d.id, d.active])).toEqual([
      ['d_east', false],
      ['d_hq', true],
      ['d_ops', true],
      ['d_sales', false],
      ['d_team', false],
    ]);

    // Pushed again, a deactivated department is active again.
    await expectOk(pushDepartments({ mode: 'incremental', departments: [{ id: 'd_sales', name: 'Sales', parentId: 'd_hq' }] }));
    expect((await departmentRows()).filter((d) => d.active).map((d) => d.id)).toEqual(['d_hq', 'd_ops', 'd_sales']);

    // An empty full push deactivates everything.
    expect(await pushDepartments({ mode: 'full', departments: [] })).toEqual({ status: 200, body: { upserted: 0, deactivated: 3 } });
  });

  describe('a push that would break the tree answers 422 INVALID_DEPARTMENTS naming each parentId, and writes nothing', () => {
    beforeEach(async () => {
      await expectOk(
        pushDepartments({
          mode: 'incremental',
          departments: [
            { id: 'd_hq', name: 'HQ' },
            { id: 'd_ops', name: 'Ops', parentId: 'd_hq' },
            { id: 'd_team', name: 'Team', parentId: 'd_ops' },
            { id: 'd_old', name: 'Old' },
          ],
        }),
      );
      await expectOk(
        pushDepartments({
          mode: 'full',
          departments: [
            { id: 'd_hq', name: 'HQ' },
            { id: 'd_ops', name: 'Ops', parentId: 'd_hq' },
            { id: 'd_team', name: 'Team', parentId: 'd_ops' },
          ],
        }),
      );
    });

    it.each([
      [
        'an unknown parent',
        'incremental',
        [
          { id: 'd_new', name: 'New', parentId: 'd_hq' },
          { id: 'd_x', name: 'X', parentId: 'd_ghost' },
        ],
        ['departments.1.parentId'],
      ],
      ['an inactive parent', 'incremental', [{ id: 'd_new', name: 'New', parentId: 'd_old' }], ['departments.0.parentId']],
      ['a department as its own parent', 'incremental', [{ id: 'd_self', name: 'Self', parentId: 'd_self' }], ['departments.0.parentId']],
      [
        'a cycle within the batch',
        'incremental',
        [
          { id: 'd_a', name: 'A', parentId: 'd_b' },
          { id: 'd_ok', name: 'OK', parentId: 'd_hq' },
          { id: 'd_b', name: 'B', parentId: 'd_a' },
        ],
        ['departments.0.parentId', 'departments.2.parentId'],
      ],
      ['a cycle through existing departments', 'incremental', [{ id: 'd_hq', name: 'HQ', parentId: 'd_team' }], ['departments.0.parentId']],
      [
        'in full mode, a parent the push itself deactivates',
        'full',
        [
          { id: 'd_hq', name: 'HQ' },
          { id: 'd_new', name: 'New', parentId: 'd_ops' },
        ],
        ['departments.1.parentId'],
      ],
    ])('%s', async (_case, mode, list, fields) => {
      const before = await departmentRows();
      const response = await pushDepartments({ mode, departments: list });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('INVALID_DEPARTMENTS');
      expect(response.body.error.details?.map((d) => d.field)).toEqual(fields);
      expect(response.body.error.details?.every((d) => d.message.length > 0)).toBe(true);
      expect(await departmentRows()).toEqual(before);
    });
  });

  it.each([
    [
      'a duplicate id',
      {
        mode: 'full',
        departments: [
          { id: 'd_1', name: 'One' },
          { id: 'd_1', name: 'Again' },
        ],
      },
      ['departments.1.id'],
    ],
    ['a missing name', { mode: 'full', departments: [{ id: 'd_1' }] }, ['departments.0.name']],
    ['an unknown mode', { mode: 'partial', departments: [{ id: 'd_1', name: 'One' }] }, ['mode']],
    ['an unknown field', { mode: 'full', departments: [{ id: 'd_1', name: 'One', manager: 'u_boss' }] }, ['departments.0.manager']],
    ['leaderIds that are not a list', { mode: 'full', departments: [{ id: 'd_1', name: 'One', leaderIds: 'u_boss' }] }, ['departments.0.leaderIds']],
  ])('a list with %s answers 400 VALIDATION_FAILED naming the field, and writes nothing', async (_case, body, fields) => {
    await expectOk(pushDepartments({ mode: 'incremental', departments: [{ id: 'd_keep', name: 'Keep' }] }));
    const before = await departmentRows();
    const response = await pushDepartments(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details?.map((d) => d.field)).toEqual(fields);
    expect(await departmentRows()).toEqual(before);
  });

  it('needs the sync permission (403), and writes nothing without it', async () => {
    const limited = await stack.appWith(['start', 'act_for', 'admin']);
    const response = await limited.request<ErrorBody>('POST', '/api/v1/sync/departments', { mode: 'full', departments: [{ id: 'd_1', name: 'One' }] });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('PERMISSION_DENIED');
    expect(await departmentRows()).toEqual([]);
  });
});

interface DelegationBody {
  id: string;
  delegatorId: string;
  delegateId: string;
  startsAt: string;
  endsAt: string;
  flowCodes: string[] | null;
  reason: string | null;
  createdAt: string;
  revokedAt: string | null;
}

const JAN = '2030-01-01T00:00:00.000Z';
const FEB = '2030-02-01T00:00:00.000Z';
const MAR = '2030-03-01T00:00:00.000Z';
const APR = '2030-04-01T00:00:00.000Z';

const createDelegation = (body: Record<string, unknown>) => stack.api.request<DelegationBody & ErrorBody>('POST', '/api/v1/delegations', body);
const listAll = () => expectOk<{ items: DelegationBody[] }>(stack.api.request('GET', '/api/v1/delegations'));
const delegationRows = () => stack.database.db.select().from(delegations).orderBy(asc(delegations.id));

describe('delegations: /api/v1/delegations', () => {
  beforeEach(async () => {
    await stack.database.db.delete(delegations);
  });

  it('creates (201), lists (all or one delegator’s), and revokes (200, idempotent)', async () => {
    const created = await createDelegation({
      delegatorId: 'u_alice',
      delegateId: 'u_bob',
      startsAt: '2030-01-01T08:00:00+08:00',
      endsAt: FEB,
      flowCodes: ['po'],
      reason: '休假',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      delegatorId: 'u_alice',
      delegateId: 'u_bob',
      startsAt: JAN,
      endsAt: FEB,
      flowCodes: ['po'],
      reason: '休假',
      createdAt: expect.any(String),
      revokedAt: null,
    });
    const other = await expectOk<DelegationBody>(createDelegation({ delegatorId: 'u_carol', delegateId: 'u_bob', startsAt: JAN, endsAt: FEB }), 201);
    expect(other).toMatchObject({ flowCodes: null, reason: null });

    expect((await listAll()).items.map((d) => d.id).sort()).toEqual([created.body.id, other.id].sort());
    expect(await expectOk(stack.api.request('GET', '/api/v1/delegations?delegatorId=u_carol'))).toEqual({ items: [other] });
    expect(await expectOk(stack.api.request('GET', '/api/v1/delegations?delegatorId=u_nobody'))).toEqual({ items: [] });

    const revoked = await expectOk<{ id: string; revokedAt: string }>(stack.api.request('DELETE', `/api/v1/delegations/${other.id}`));
    expect(revoked).toEqual({ id: other.id, revokedAt: expect.any(String) });
    expect(await expectOk(stack.api.request('DELETE', `/api/v1/delegations/${other.id}`))).toEqual(revoked);
    expect(await expectOk(stack.api.request('GET', '/api/v1/delegations?delegatorId=u_carol'))).toEqual({
      items: [{ ...other, revokedAt: revoked.revokedAt }],
    });
  });

  it('allows periods that only touch, disjoint flow scopes, other delegators, and a period once its clash was revoked', async () => {
    const allFlows = await expectOk<DelegationBody>(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_bob', startsAt: JAN, endsAt: FEB }), 201);
    await expectOk(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_bob', startsAt: FEB, endsAt: MAR }), 201);
    await expectOk(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_bob', startsAt: MAR, endsAt: APR, flowCodes: ['po'] }), 201);
    await expectOk(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_carol', startsAt: MAR, endsAt: APR, flowCodes: ['expense', 'contract'] }), 201);
    await expectOk(createDelegation({ delegatorId: 'u_bob', delegateId: 'u_alice', startsAt: JAN, endsAt: FEB }), 201);
    await expectOk(stack.api.request('DELETE', `/api/v1/delegations/${allFlows.id}`));
    await expectOk(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_carol', startsAt: JAN, endsAt: FEB }), 201);
    expect(await delegationRows()).toHaveLength(6);
  });

  describe('a refused delegation writes nothing', () => {
    beforeEach(async () => {
      await expectOk(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_bob', startsAt: FEB, endsAt: MAR, flowCodes: ['po', 'expense'] }), 201);
    });

    it.each([
      ['to oneself', { delegatorId: 'u_alice', delegateId: 'u_alice', startsAt: JAN, endsAt: FEB }, 422, 'SELF_DELEGATION'],
      ['from an unknown user', { delegatorId: 'u_nobody', delegateId: 'u_bob', startsAt: JAN, endsAt: FEB }, 422, 'UNKNOWN_USER'],
      ['to an unknown user', { delegatorId: 'u_carol', delegateId: 'u_nobody', startsAt: JAN, endsAt: FEB }, 422, 'UNKNOWN_USER'],
      ['to an inactive user', { delegatorId: 'u_carol', delegateId: 'u_gone', startsAt: JAN, endsAt: FEB }, 422, 'UNKNOWN_USER'],
      ['from an inactive user', { delegatorId: 'u_gone', delegateId: 'u_carol', startsAt: JAN, endsAt: FEB }, 422, 'UNKNOWN_USER'],
      [
        'overlapping in time and flow',
        { delegatorId: 'u_alice', delegateId: 'u_carol', startsAt: JAN, endsAt: '2030-02-02T00:00:00Z', flowCodes: ['expense'] },
        409,
        'DELEGATION_OVERLAP',
      ],
      [
        'for every flow over a scoped one',
        { delegatorId: 'u_alice', delegateId: 'u_carol', startsAt: '2030-02-15T00:00:00Z', endsAt: APR },
        409,
        'DELEGATION_OVERLAP',
      ],
    ])('%s', async (_case, body, status, code) => {
      const before = await delegationRows();
      const response = await createDelegation(body);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message.length).toBeGreaterThan(0);
      expect(await delegationRows()).toEqual(before);
    });

    it('a scoped one over one for every flow is refused too', async () => {
      await expectOk(createDelegation({ delegatorId: 'u_carol', delegateId: 'u_bob', startsAt: JAN, endsAt: APR }), 201);
      const before = await delegationRows();
      const response = await createDelegation({ delegatorId: 'u_carol', delegateId: 'u_alice', startsAt: FEB, endsAt: MAR, flowCodes: ['contract'] });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('DELEGATION_OVERLAP');
      expect(await delegationRows()).toEqual(before);
    });

    it.each([
      ['endsAt equal to startsAt', { startsAt: JAN, endsAt: JAN }, ['endsAt']],
      ['endsAt before startsAt', { startsAt: FEB, endsAt: JAN }, ['endsAt']],
      ['a date-time without a time zone', { startsAt: '2030-01-01T00:00:00', endsAt: FEB }, ['startsAt']],
      ['no endsAt', { startsAt: JAN }, ['endsAt']],
      ['an empty flow scope', { startsAt: JAN, endsAt: FEB, flowCodes: [] }, ['flowCodes']],
      ['an unknown field', { startsAt: JAN, endsAt: FEB, until: 'forever' }, ['until']],
    ])('%s answers 400 VALIDATION_FAILED naming the field', async (_case, fields, named) => {
      const before = await delegationRows();
      const response = await createDelegation({ delegatorId: 'u_carol', delegateId: 'u_bob', ...fields });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details?.map((d) => d.field)).toEqual(named);
      expect(await delegationRows()).toEqual(before);
    });
  });

  it('revoking an unknown delegation answers 404 DELEGATION_NOT_FOUND', async () => {
    const response = await stack.api.request<ErrorBody>('DELETE', '/api/v1/delegations/no-such-id');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('DELEGATION_NOT_FOUND');
  });

  it('an unknown query parameter answers 400 naming it', async () => {
    const response = await stack.api.request<ErrorBody>('GET', '/api/v1/delegations?delegator=u_alice');
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ field: 'query.delegator', message: 'is not a known field' }]);
  });

  it('needs the act_for permission (403) to create, list or revoke, and writes nothing without it', async () => {
    const existing = await expectOk<DelegationBody>(createDelegation({ delegatorId: 'u_alice', delegateId: 'u_bob', startsAt: JAN, endsAt: FEB }), 201);
    const before = await delegationRows();
    const limited = await stack.appWith(['start', 'sync', 'admin']);
    const attempts = [
      limited.request<ErrorBody>('POST', '/api/v1/delegations', { delegatorId: 'u_carol', delegateId: 'u_bob', startsAt: JAN, endsAt: FEB }),
      limited.request<ErrorBody>('GET', '/api/v1/delegations'),
      limited.request<ErrorBody>('DELETE', `/api/v1/delegations/${existing.id}`),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('PERMISSION_DENIED');
    }
    expect(await delegationRows()).toEqual(before);
  });
});
