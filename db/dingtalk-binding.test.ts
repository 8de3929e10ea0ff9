import { planDingTalkBindings, type ExistingUserKeys } from './dingtalk-binding';

const existing = (id: string, keys: Partial<Omit<ExistingUserKeys, 'id'>> = {}): ExistingUserKeys => ({
  id,
  dingtalkUserId: keys.dingtalkUserId ?? null,
  mobile: keys.mobile ?? null,
  email: keys.email ?? null,
});

describe('planDingTalkBindings (SPEC §8 "Users and ids")', () => {
  it('keeps the id of the user already carrying the DingTalk userid, and does not call it news', () => {
    const plan = planDingTalkBindings([{ id: 'dt_zhang', mobile: '138' }], [existing('erp_zhang', { dingtalkUserId: 'dt_zhang', mobile: '139' })]);
    expect(plan).toEqual({ boundTo: new Map([['dt_zhang', 'erp_zhang']]), newlyBound: [], problems: [] });
  });

  it('a user whose id is the DingTalk userid is that user (bound to nobody else)', () => {
    const plan = planDingTalkBindings(
      [{ id: 'dt_li', email: 'li@example.com' }],
      [existing('dt_li', { dingtalkUserId: 'dt_li' }), existing('c_li', { email: 'li@example.com' })],
    );
    expect(plan).toEqual({ boundTo: new Map(), newlyBound: [], problems: [] });
  });

  it('binds by mobile, else by email, only to users bound to no DingTalk account yet', () => {
    const plan = planDingTalkBindings(
      [
        { id: 'dt_wang', mobile: '13800000003' },
        { id: 'dt_zhao', mobile: '19900000000', email: 'zhao@example.com' },
        // The number belongs to a user bound to another DingTalk account: somebody else, a new user.
        { id: 'dt_new', mobile: '13800000001' },
      ],
      [
        existing('c_wang', { mobile: '13800000003' }),
        existing('c_zhao', { email: 'zhao@example.com' }),
        existing('c_zhang', { mobile: '13800000001', dingtalkUserId: 'dt_zhang' }),
      ],
    );
    expect(plan.problems).toEqual([]);
    expect(plan.newlyBound).toEqual([
      { id: 'dt_wang', userId: 'c_wang' },
      { id: 'dt_zhao', userId: 'c_zhao' },
    ]);
    expect([...plan.boundTo]).toEqual([
      ['dt_wang', 'c_wang'],
      ['dt_zhao', 'c_zhao'],
    ]);
  });

  it('a brand-new person binds to nobody (their id stays the DingTalk userid)', () => {
    expect(planDingTalkBindings([{ id: 'dt_new', mobile: '1', email: 'new@example.com' }], [])).toEqual({ boundTo: new Map(), newlyBound: [], problems: [] });
  });

  it('the DingTalk userid wins over a mobile naming someone else', () => {
    const plan = planDingTalkBindings(
      [{ id: 'dt_zhang', mobile: '138' }],
      [existing('c_zhang', { dingtalkUserId: 'dt_zhang' }), existing('c_other', { mobile: '138' })],
    );
    expect([...plan.boundTo]).toEqual([['dt_zhang', 'c_zhang']]);
    expect(plan.newlyBound).toEqual([]);
  });

  it('refuses mobile and email naming two users, and one user claimed by two DingTalk users', () => {
    const plan = planDingTalkBindings(
      [
        { id: 'dt_a', mobile: '111', email: 'b@example.com' },
        { id: 'dt_c', email: 'c@example.com' },
        { id: 'dt_d', mobile: '333' },
      ],
      [existing('c_a', { mobile: '111' }), existing('c_b', { email: 'b@example.com' }), existing('c_cd', { email: 'c@example.com', mobile: '333' })],
    );
    expect(plan.problems).toEqual([
      {
        field: 'users.0',
        message: 'user "dt_a" matches 2 existing users by mobile "111" and email "b@example.com": "c_a", "c_b"',
        pushedIds: ['dt_a'],
        userIds: ['c_a', 'c_b'],
      },
      {
        field: 'users.2',
        message: 'existing user "c_cd" would be claimed by 2 DingTalk users: "dt_c", "dt_d"',
        pushedIds: ['dt_c', 'dt_d'],
        userIds: ['c_cd'],
      },
    ]);
  });

  it('refuses two existing users carrying the same DingTalk userid', () => {
    const plan = planDingTalkBindings([{ id: 'dt_x' }], [existing('c_1', { dingtalkUserId: 'dt_x' }), existing('c_2', { dingtalkUserId: 'dt_x' })]);
    expect(plan.problems.map((p) => p.message)).toEqual(['user "dt_x" matches 2 existing users by DingTalk userid "dt_x": "c_1", "c_2"']);
  });
});
