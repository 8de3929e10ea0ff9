import { asc } from 'drizzle-orm';
import { users } from '../../db/schema';
import { expectOk } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/** SPEC §8 "Users and ids": an org push binds a pushed user to the existing one it matches by mobile or email. */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

beforeEach(async () => {
  await stack.database.db.delete(users);
  // The users as another source (DingTalk) created them: the center's ids and DingTalk userIds.
  await expectOk(
    pushUsers('incremental', [
      { id: 'c_zhang', name: '张三', deptIds: ['d_old'], mobile: '13800000001', email: 'zhang@example.com', dingtalkUserId: 'dt_zhang', roles: ['old'] },
      { id: 'c_li', name: '李四', deptIds: ['d_old'], email: 'li@example.com', dingtalkUserId: 'dt_li' },
      { id: 'c_wang', name: '王五', deptIds: ['d_old'], mobile: '13800000003' },
      { id: 'c_zhao', name: '赵六', deptIds: ['d_old'], mobile: '13800000004', email: 'zhao@example.com' },
    ]),
  );
});

interface PushedUser {
  id: string;
  name: string;
  deptIds: string[];
  mobile?: string;
  email?: string;
  managerId?: string;
  title?: string;
  roles?: string[];
  dingtalkUserId?: string;
  erpUserId?: string;
}

interface SyncAnswer {
  upserted: number;
  deactivated: number;
  bound: Array<{ id: string; userId: string }>;
  /** full pushes: instances told that assignees of theirs left */
  handedOver?: { instances: number; failed: number };
}

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string; pushedIds: string[]; userIds: string[] }> };
}

function pushUsers(mode: 'full' | 'incremental', list: PushedUser[]) {
  return stack.api.request<SyncAnswer & ErrorBody>('POST', '/api/v1/sync/users', { mode, users: list });
}

const allRows = () => stack.database.db.select().from(users).orderBy(asc(users.id));
const rowOf = async (id: string) => (await allRows()).find((u) => u.id === id);

describe('org push binds pushed users to existing ones (SPEC §8)', () => {
  it('binds by mobile: the existing user keeps its id and takes the pushed fields', async () => {
    const answer = await expectOk(
      pushUsers('incremental', [{ id: 'erp_007', name: '张三(ERP)', deptIds: ['d_purchase'], mobile: '13800000001', title: '采购员', roles: ['buyer'] }]),
    );
    expect(answer).toEqual({ upserted: 1, deactivated: 0, bound: [{ id: 'erp_007', userId: 'c_zhang' }] });
    expect(await rowOf('erp_007')).toBeUndefined();
    expect(await rowOf('c_zhang')).toMatchObject({
      name: '张三(ERP)',
      deptIds: ['d_purchase'],
      title: '采购员',
      roles: ['buyer'],
      mobile: '13800000001',
      // Not pushed: kept.
      email: 'zhang@example.com',
      dingtalkUserId: 'dt_zhang',
      // Defaulted to the pushed id.
      erpUserId: 'erp_007',
      active: true,
    });
    expect(await allRows()).toHaveLength(4);
  });

  it('binds by email when no mobile matches, and takes an explicit erpUserId and dingtalkUserId', async () => {
    const answer = await expectOk(
      pushUsers('incremental', [
        { id: 'erp_008', name: '李四', deptIds: ['d_sales'], mobile: '13999999999', email: 'li@example.com', erpUserId: 'E-8', dingtalkUserId: 'dt_li_new' },
      ]),
    );
    expect(answer.bound).toEqual([{ id: 'erp_008', userId: 'c_li' }]);
    expect(await rowOf('c_li')).toMatchObject({
      name: '李四',
      deptIds: ['d_sales'],
      mobile: '13999999999',
      email: 'li@example.com',
      erpUserId: 'E-8',
      dingtalkUserId: 'dt_li_new',
      active: true,
    });
    expect(await rowOf('erp_008')).toBeUndefined();
  });

  it('an existing id wins over a matching mobile', async () => {
    const answer = await expectOk(pushUsers('incremental', [{ id: 'c_wang', name: '王五', deptIds: ['d_new'], mobile: '13800000001' }]));
    expect(answer).toEqual({ upserted: 1, deactivated: 0, bound: [] });
    expect(await rowOf('c_wang')).toMatchObject({ mobile: '13800000001', deptIds: ['d_new'], erpUserId: null });
    expect(await rowOf('c_zhang')).toMatchObject({ name: '张三', deptIds: ['d_old'], erpUserId: null });
  });

  it('a user matching nobody is inserted under its pushed id', async () => {
    const answer = await expectOk(pushUsers('incremental', [{ id: 'erp_new', name: '新人', deptIds: [], mobile: '13700000000', email: 'new@example.com' }]));
    expect(answer).toEqual({ upserted: 1, deactivated: 0, bound: [] });
    expect(await rowOf('erp_new')).toMatchObject({ name: '新人', erpUserId: null, active: true });
  });

  it('translates the batch’s managerIds that name a bound id to the bound user', async () => {
    const answer = await expectOk(
      pushUsers('incremental', [
        { id: 'erp_staff', name: '员工', deptIds: ['d1'], mobile: '13700000001', managerId: 'erp_boss' },
        { id: 'erp_boss', name: '王五', deptIds: ['d1'], mobile: '13800000003', managerId: 'erp_ceo' },
        { id: 'erp_ceo', name: '赵六', deptIds: ['d1'], email: 'zhao@example.com' },
        { id: 'erp_peer', name: '同事', deptIds: ['d1'], managerId: 'c_li' },
      ]),
    );
    expect(answer.bound).toEqual([
      { id: 'erp_boss', userId: 'c_wang' },
      { id: 'erp_ceo', userId: 'c_zhao' },
    ]);
    expect(await rowOf('erp_staff')).toMatchObject({ managerId: 'c_wang' });
    expect(await rowOf('c_wang')).toMatchObject({ managerId: 'c_zhao', erpUserId: 'erp_boss' });
    expect(await rowOf('c_zhao')).toMatchObject({ managerId: null, erpUserId: 'erp_ceo' });
    expect(await rowOf('erp_peer')).toMatchObject({ managerId: 'c_li' });
  });

  it('full mode counts bound users as listed: they stay (or become) active', async () => {
    await stack.database.db.update(users).set({ active: false });
    const answer = await expectOk(
      pushUsers('full', [
        { id: 'erp_1', name: '张三', deptIds: [], mobile: '13800000001' },
        { id: 'erp_2', name: '李四', deptIds: [], email: 'li@example.com' },
        { id: 'erp_3', name: '新人', deptIds: [] },
      ]),
    );
    expect(answer).toEqual({
      upserted: 3,
      deactivated: 0,
      handedOver: { instances: 0, failed: 0 },
      bound: [
        { id: 'erp_1', userId: 'c_zhang' },
        { id: 'erp_2', userId: 'c_li' },
      ],
    });
    expect((await allRows()).map((u) => [u.id, u.active])).toEqual([
      ['c_li', true],
      ['c_wang', false],
      ['c_zhang', true],
      ['c_zhao', false],
      ['erp_3', true],
    ]);
  });

  it('full mode deactivates what neither the ids nor the bindings cover', async () => {
    const answer = await expectOk(pushUsers('full', [{ id: 'erp_1', name: '张三', deptIds: [], mobile: '13800000001' }]));
    expect(answer).toEqual({ upserted: 1, deactivated: 3, bound: [{ id: 'erp_1', userId: 'c_zhang' }], handedOver: { instances: 0, failed: 0 } });
    expect((await allRows()).filter((u) => u.active).map((u) => u.id)).toEqual(['c_zhang']);
  });

  it('a repeated push is idempotent: the same binding, the same rows', async () => {
    const batch: PushedUser[] = [
      { id: 'erp_1', name: '张三', deptIds: ['d1'], mobile: '13800000001', managerId: 'erp_2' },
      { id: 'erp_2', name: '李四', deptIds: ['d1'], email: 'li@example.com' },
      { id: 'erp_3', name: '新人', deptIds: ['d1'], mobile: '13700000009' },
    ];
    const first = await expectOk(pushUsers('full', batch));
    const strip = (rows: Awaited<ReturnType<typeof allRows>>) => rows.map(({ updatedAt: _u, createdAt: _c, ...rest }) => rest);
    const rowsAfterFirst = strip(await allRows());
    const second = await expectOk(pushUsers('full', batch));
    expect(second).toEqual({ ...first, deactivated: 0 });
    expect(second.bound).toEqual([
      { id: 'erp_1', userId: 'c_zhang' },
      { id: 'erp_2', userId: 'c_li' },
    ]);
    expect(strip(await allRows())).toEqual(rowsAfterFirst);
    expect(await allRows()).toHaveLength(5);
  });

  it('a bound user whose mobile later changes in the ERP stays bound (by the recorded ERP user id)', async () => {
    await expectOk(pushUsers('incremental', [{ id: 'erp_1', name: '张三', deptIds: [], mobile: '13800000001' }]));
    const answer = await expectOk(pushUsers('incremental', [{ id: 'erp_1', name: '张三', deptIds: [], mobile: '13600000000' }]));
    expect(answer.bound).toEqual([{ id: 'erp_1', userId: 'c_zhang' }]);
    expect(await rowOf('c_zhang')).toMatchObject({ mobile: '13600000000', erpUserId: 'erp_1' });
    expect(await rowOf('erp_1')).toBeUndefined();
  });

  describe('an ambiguous binding answers 422 AMBIGUOUS_USER_BINDING naming the users, and writes nothing', () => {
    it.each<[string, PushedUser[], Array<{ field: string; pushedIds: string[]; userIds: string[] }>]>([
      [
        'two pushed users matching the same existing user',
        [
          { id: 'erp_a', name: 'A', deptIds: [], mobile: '13800000001' },
          { id: 'erp_ok', name: 'OK', deptIds: [] },
          { id: 'erp_b', name: 'B', deptIds: [], email: 'zhang@example.com' },
        ],
        [{ field: 'users.2', pushedIds: ['erp_a', 'erp_b'], userIds: ['c_zhang'] }],
      ],
      [
        'a pushed user whose mobile and email match two different users',
        [{ id: 'erp_c', name: 'C', deptIds: [], mobile: '13800000003', email: 'li@example.com' }],
        [{ field: 'users.0', pushedIds: ['erp_c'], userIds: ['c_li', 'c_wang'] }],
      ],
      [
        'a pushed user matching a user the same push updates by id',
        [
          { id: 'c_zhang', name: '张三', deptIds: [] },
          { id: 'erp_d', name: 'D', deptIds: [], mobile: '13800000001' },
        ],
        [{ field: 'users.1', pushedIds: ['c_zhang', 'erp_d'], userIds: ['c_zhang'] }],
      ],
    ])('%s', async (_case, list, details) => {
      const before = await allRows();
      for (const mode of ['incremental', 'full'] as const) {
        const response = await pushUsers(mode, list);
        expect(response.status).toBe(422);
        expect(response.body.error.code).toBe('AMBIGUOUS_USER_BINDING');
        expect(response.body.error.message).toEqual(expect.any(String));
        expect(response.body.error.details).toEqual(details.map((d) => ({ ...d, message: expect.any(String) })));
        for (const id of details.flatMap((d) => [...d.pushedIds, ...d.userIds])) expect(response.body.error.message).toContain(`"${id}"`);
        expect(await allRows()).toEqual(before);
      }
    });

    it('a pushed mobile that two existing users share', async () => {
      await stack.database.db.update(users).set({ mobile: '13800000001' });
      const before = await allRows();
      const response = await pushUsers('incremental', [{ id: 'erp_e', name: 'E', deptIds: [], mobile: '13800000001' }]);
      expect(response.status).toBe(422);
      expect(response.body.error.details).toEqual([
        { field: 'users.0', pushedIds: ['erp_e'], userIds: ['c_li', 'c_wang', 'c_zhang', 'c_zhao'], message: expect.any(String) },
      ]);
      expect(await allRows()).toEqual(before);
    });
  });

  it('a push of 10,000 users (the schema’s maximum) is written in one go', async () => {
    const list = Array.from({ length: 10_000 }, (_, i) => ({
      id: `bulk_${i}`,
      name: `Bulk ${i}`,
      deptIds: ['d1'],
      mobile: `150${String(i).padStart(8, '0')}`,
    }));
    const answer = await expectOk(pushUsers('full', list));
    expect(answer).toEqual({ upserted: 10_000, deactivated: 4, bound: [], handedOver: { instances: 0, failed: 0 } });
    expect(await allRows()).toHaveLength(10_004);
  });
});
