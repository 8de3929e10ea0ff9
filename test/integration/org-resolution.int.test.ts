import { resolveApprovers as resolveFromDb } from '../../db/resolve-approvers';
import { departments } from '../../db/schema';
import type { Assignment, ResolvableSource, ResolveApproversInput } from '../../engine/assignment';
import { delegate, expectOk } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The org this file resolves against, pushed over HTTP:
 *
 *   departments  d_hq [u_ceo] ← d_ops [u_vp, u_vp_old✗] ← d_team [u_lead] ← d_squad [u_init]
 *                d_hq ← d_co [u_colead, u_init]      d_hq ← d_orphan [u_mgr_gone✗]      d_closed✗
 *   reporting    u_init → u_lead (Team Lead) → u_mgr_gone✗ (Director) → u_vp (VP) → u_ceo (CEO)
 *
 * ✗ = inactive (left out of a later full push).
 */
const FLOW = 'po';

const user = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, deptIds: [] as string[], ...extra });
const activeUsers = [
  user('u_ceo', { deptIds: ['d_hq'], title: 'CEO' }),
  user('u_vp', { deptIds: ['d_ops'], managerId: 'u_ceo', title: 'VP' }),
  user('u_lead', { deptIds: ['d_team'], managerId: 'u_mgr_gone', title: 'Team Lead' }),
  user('u_init', { deptIds: ['d_squad', 'd_co'], managerId: 'u_lead', title: 'Engineer' }),
  user('u_staff', { deptIds: ['d_team'], managerId: 'u_lead' }),
  user('u_colead', { deptIds: ['d_co'], managerId: 'u_ceo' }),
  user('u_orphan', { deptIds: ['d_orphan'], managerId: 'u_ceo' }),
  user('u_closed', { deptIds: ['d_closed'] }),
  user('u_under_gone', { managerId: 'u_mgr_gone' }),
  user('u_fin1', { roles: ['finance'] }),
  user('u_fin2', { roles: ['finance', 'buyer'] }),
  user('u_admin2', { roles: ['approval_admin'] }),
  user('u_admin1', { roles: ['approval_admin'] }),
  user('u_deputy'),
  user('u_hop1'),
  user('u_hop2'),
  user('u_hop3'),
  user('u_cyc_a', { managerId: 'u_cyc_b' }),
  user('u_cyc_b', { managerId: 'u_cyc_c' }),
  user('u_cyc_c', { managerId: 'u_cyc_a' }),
  // A 26-long line: u_long_0 → u_long_1 → … → u_long_25 (title Top).
  ...Array.from({ length: 26 }, (_, i) => user(`u_long_${i}`, i < 25 ? { managerId: `u_long_${i + 1}` } : { title: 'Top' })),
];
const laterInactiveUsers = [
  user('u_mgr_gone', { managerId: 'u_vp', title: 'Director' }),
  user('u_vp_old', { deptIds: ['d_ops'] }),
  user('u_fin_gone', { roles: ['finance'] }),
  user('u_admin_gone', { roles: ['approval_admin'] }),
  user('u_temp'),
];
const activeDepartments = [
  { id: 'd_hq', name: 'HQ', leaderIds: ['u_ceo'] },
  { id: 'd_ops', name: 'Operations', parentId: 'd_hq', leaderIds: ['u_vp', 'u_vp_old'] },
  { id: 'd_team', name: 'Team', parentId: 'd_ops', leaderIds: ['u_lead'] },
  { id: 'd_squad', name: 'Squad', parentId: 'd_team', leaderIds: ['u_init'] },
  { id: 'd_co', name: 'Co-led', parentId: 'd_hq', leaderIds: ['u_colead', 'u_init'] },
  { id: 'd_orphan', name: 'Leaderless', parentId: 'd_hq', leaderIds: ['u_mgr_gone'] },
];

let stack: TestStack;
let resolveApprovers: (input: ResolveApproversInput) => Promise<Assignment[]>;

const delegateFor = (delegatorId: string, delegateId: string, hoursAgo: number, hoursAhead: number, flowCodes?: string[]) =>
  delegate(stack.api, { delegatorId, delegateId, hoursAgo, hoursAhead, ...(flowCodes ? { flowCodes } : {}) });

beforeAll(async () => {
  stack = await startTestStack();
  resolveApprovers = (input) => resolveFromDb(stack.database.db, input);
  const allUsers = [...activeUsers, ...laterInactiveUsers];
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: allUsers }));
  await expectOk(
    stack.api.request('POST', '/api/v1/sync/departments', {
      mode: 'incremental',
      departments: [...activeDepartments, { id: 'd_closed', name: 'Closed', parentId: 'd_hq' }],
    }),
  );

  await delegateFor('u_lead', 'u_deputy', 1, 24);
  await delegateFor('u_vp', 'u_deputy', 48, -24); // ended a day ago
  await delegateFor('u_ceo', 'u_deputy', 1, 24, ['other_flow']);
  await delegateFor('u_fin1', 'u_temp', 1, 24); // u_temp is deactivated below
  await delegateFor('u_fin2', 'u_deputy', -24, 48); // starts tomorrow
  await delegateFor('u_hop1', 'u_hop2', 1, 24);
  await delegateFor('u_hop2', 'u_hop3', 1, 24);
  const revoked = await delegateFor('u_colead', 'u_deputy', 1, 24);
  await expectOk(stack.api.request('DELETE', `/api/v1/delegations/${revoked}`));

  expect(await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'full', users: activeUsers }))).toEqual({
    upserted: activeUsers.length,
    deactivated: laterInactiveUsers.length,
    bound: [],
    handedOver: { instances: 0, failed: 0 },
  });
  expect(await expectOk(stack.api.request('POST', '/api/v1/sync/departments', { mode: 'full', departments: activeDepartments }))).toEqual({
    upserted: activeDepartments.length,
    deactivated: 1,
  });
});
afterAll(() => stack?.stop());

function resolve(source: ResolvableSource, options: Partial<ResolveApproversInput> = {}): Promise<Assignment[]> {
  return resolveApprovers({
    instanceId: 'approval:po:BK-1',
    flowCode: FLOW,
    source,
    subjectId: 'u_init',
    initiatorId: 'u_init',
    applyDelegation: false,
    ...options,
  });
}

async function resolveIds(source: ResolvableSource, options: Partial<ResolveApproversInput> = {}): Promise<string[]> {
  const assignments = await resolve(source, options);
  expect(assignments.every((a) => a.delegatedFrom === undefined && a.substitutedFor === undefined)).toBe(true);
  return assignments.map((a) => a.userId);
}

describe('users', () => {
  it('answers the named active users in order, each once', async () => {
    expect(await resolveIds({ type: 'users', ids: ['u_vp', 'u_mgr_gone', 'u_lead', 'u_vp', 'u_nobody', 'u_ceo'] })).toEqual(['u_vp', 'u_lead', 'u_ceo']);
  });

  it('answers nothing when every named user is inactive or unknown', async () => {
    expect(await resolveIds({ type: 'users', ids: ['u_mgr_gone', 'u_nobody'] })).toEqual([]);
  });
});

describe('role', () => {
  it('answers the active holders of the role, by id', async () => {
    expect(await resolveIds({ type: 'role', role: 'finance' })).toEqual(['u_fin1', 'u_fin2']);
    expect(await resolveIds({ type: 'role', role: 'buyer' })).toEqual(['u_fin2']);
    expect(await resolveIds({ type: 'role', role: 'nobody_has_it' })).toEqual([]);
  });
});

describe('dept_leader', () => {
  it('skips the department the subject alone leads, then counts levels up the chain', async () => {
    expect(await resolveIds({ type: 'dept_leader' })).toEqual(['u_lead']);
    expect(await resolveIds({ type: 'dept_leader', levels: 1 })).toEqual(['u_lead']);
    expect(await resolveIds({ type: 'dept_leader', levels: 2 })).toEqual(['u_vp']);
    expect(await resolveIds({ type: 'dept_leader', levels: 3 })).toEqual(['u_ceo']);
  });

  it('answers nothing when the chain is too short', async () => {
    expect(await resolveIds({ type: 'dept_leader', levels: 4 })).toEqual([]);
    expect(await resolveIds({ type: 'dept_leader', levels: 2 }, { subjectId: 'u_ceo' })).toEqual([]);
  });

  it("starts at the subject's first department", async () => {
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_staff' })).toEqual(['u_lead']);
    expect(await resolveIds({ type: 'dept_leader', levels: 2 }, { subjectId: 'u_staff' })).toEqual(['u_vp']);
  });

  it('answers only active leaders, and never the subject in a department they co-lead', async () => {
    // d_ops is led by u_vp and inactive u_vp_old: for u_vp it is a department only they lead.
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_vp' })).toEqual(['u_ceo']);
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_colead' })).toEqual(['u_init']);
  });

  it('counts a department without active leaders as a level, which answers nobody', async () => {
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_orphan' })).toEqual([]);
    expect(await resolveIds({ type: 'dept_leader', levels: 2 }, { subjectId: 'u_orphan' })).toEqual(['u_ceo']);
  });

  it('answers nothing for a subject without a department or whose department was deactivated', async () => {
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_fin1' })).toEqual([]);
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_closed' })).toEqual([]);
    expect(await resolveIds({ type: 'dept_leader' }, { subjectId: 'u_nobody' })).toEqual([]);
  });

  it('stops at a cycle in the department data instead of looping', async () => {
    // The sync endpoint refuses cycles; this data is written around it.
    await stack.database.db.insert(departments).values([
      { id: 'd_cyc1', name: 'Cycle 1', parentId: 'd_cyc2', leaderIds: ['u_hop1'] },
      { id: 'd_cyc2', name: 'Cycle 2', parentId: 'd_cyc1', leaderIds: ['u_hop2'] },
    ]);
    await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users: [user('u_in_cycle', { deptIds: ['d_cyc1'] })] }));
    const subject = { subjectId: 'u_in_cycle' };
    expect(await resolveIds({ type: 'dept_leader', levels: 1 }, subject)).toEqual(['u_hop1']);
    expect(await resolveIds({ type: 'dept_leader', levels: 2 }, subject)).toEqual(['u_hop2']);
    expect(await resolveIds({ type: 'dept_leader', levels: 3 }, subject)).toEqual([]);
  });
});

describe('manager', () => {
  it('levels: the first N active managers, walking through inactive ones without counting them', async () => {
    expect(await resolveIds({ type: 'manager' })).toEqual(['u_lead']);
    expect(await resolveIds({ type: 'manager', levels: 1 })).toEqual(['u_lead']);
    expect(await resolveIds({ type: 'manager', levels: 2 })).toEqual(['u_lead', 'u_vp']);
    expect(await resolveIds({ type: 'manager', levels: 3 })).toEqual(['u_lead', 'u_vp', 'u_ceo']);
    expect(await resolveIds({ type: 'manager', levels: 10 })).toEqual(['u_lead', 'u_vp', 'u_ceo']);
  });

  it('levels: an inactive direct manager is passed over', async () => {
    expect(await resolveIds({ type: 'manager' }, { subjectId: 'u_under_gone' })).toEqual(['u_vp']);
  });

  it('untilTitle: every active manager up to and including the first with the title', async () => {
    expect(await resolveIds({ type: 'manager', untilTitle: 'Team Lead' })).toEqual(['u_lead']);
    expect(await resolveIds({ type: 'manager', untilTitle: 'VP' })).toEqual(['u_lead', 'u_vp']);
    expect(await resolveIds({ type: 'manager', untilTitle: 'CEO' })).toEqual(['u_lead', 'u_vp', 'u_ceo']);
  });

  it('untilTitle: nobody (active) with the title means the whole line to the top', async () => {
    expect(await resolveIds({ type: 'manager', untilTitle: 'Chairman' })).toEqual(['u_lead', 'u_vp', 'u_ceo']);
    // Only the inactive u_mgr_gone holds "Director"; an inactive manager never ends the walk.
    expect(await resolveIds({ type: 'manager', untilTitle: 'Director' })).toEqual(['u_lead', 'u_vp', 'u_ceo']);
  });

  it('walks from the subject, not the initiator (escalation)', async () => {
    expect(await resolveIds({ type: 'manager' }, { subjectId: 'u_lead' })).toEqual(['u_vp']);
  });

  it('answers nothing at the top of the line or for an unknown subject', async () => {
    expect(await resolveIds({ type: 'manager' }, { subjectId: 'u_ceo' })).toEqual([]);
    expect(await resolveIds({ type: 'manager', untilTitle: 'CEO' }, { subjectId: 'u_ceo' })).toEqual([]);
    expect(await resolveIds({ type: 'manager' }, { subjectId: 'u_nobody' })).toEqual([]);
  });

  it('stops at a reporting cycle instead of looping, never answering the subject', async () => {
    expect(await resolveIds({ type: 'manager', levels: 10 }, { subjectId: 'u_cyc_a' })).toEqual(['u_cyc_b', 'u_cyc_c']);
    expect(await resolveIds({ type: 'manager', untilTitle: 'CEO' }, { subjectId: 'u_cyc_b' })).toEqual(['u_cyc_c', 'u_cyc_a']);
  });

  it('follows a line at most 20 levels up', async () => {
    const twentyAbove = (subject: number) => Array.from({ length: 20 }, (_, i) => `u_long_${subject + i + 1}`);
    expect(await resolveIds({ type: 'manager', levels: 20 }, { subjectId: 'u_long_0' })).toEqual(twentyAbove(0));
    // u_long_25 (Top) is 25 levels above u_long_0: out of reach, so the walk ends at the cap.
    expect(await resolveIds({ type: 'manager', untilTitle: 'Top' }, { subjectId: 'u_long_0' })).toEqual(twentyAbove(0));
    expect(await resolveIds({ type: 'manager', untilTitle: 'Top' }, { subjectId: 'u_long_5' })).toEqual(twentyAbove(5));
  });
});

describe('initiator_select and initiator', () => {
  it('initiator_select: the selected active users in order, each once', async () => {
    expect(await resolveIds({ type: 'initiator_select' }, { selected: ['u_vp', 'u_mgr_gone', 'u_lead', 'u_vp'] })).toEqual(['u_vp', 'u_lead']);
    expect(await resolveIds({ type: 'initiator_select', multiple: true })).toEqual([]);
  });

  it('initiator: the initiator when active, whoever the subject is', async () => {
    expect(await resolveIds({ type: 'initiator' }, { subjectId: 'u_lead' })).toEqual(['u_init']);
    expect(await resolveIds({ type: 'initiator' }, { initiatorId: 'u_mgr_gone' })).toEqual([]);
  });
});

describe('admins', () => {
  it("answers the flow's active admins when there are any", async () => {
    expect(await resolveIds({ type: 'admins', ids: ['u_mgr_gone', 'u_vp', 'u_ceo'] })).toEqual(['u_vp', 'u_ceo']);
  });

  it('falls back to the active approval_admin users, by id', async () => {
    expect(await resolveIds({ type: 'admins', ids: ['u_mgr_gone', 'u_nobody'] })).toEqual(['u_admin1', 'u_admin2']);
    expect(await resolveIds({ type: 'admins', ids: [] })).toEqual(['u_admin1', 'u_admin2']);
  });
});

describe('whenApproverIsInitiator: to_manager', () => {
  const toManager = { whenApproverIsInitiator: 'to_manager' } as const;

  it("puts the initiator's direct manager in the initiator's place", async () => {
    expect(await resolve({ type: 'users', ids: ['u_ceo', 'u_init', 'u_fin1'] }, toManager)).toEqual([
      { userId: 'u_ceo' },
      { userId: 'u_lead', substitutedFor: 'u_init' },
      { userId: 'u_fin1' },
    ]);
  });

  it('keeps the substitute where the initiator stood when the manager is also listed', async () => {
    expect(await resolve({ type: 'users', ids: ['u_init', 'u_vp', 'u_lead'] }, toManager)).toEqual([
      { userId: 'u_lead', substitutedFor: 'u_init' },
      { userId: 'u_vp' },
    ]);
    expect(await resolve({ type: 'users', ids: ['u_lead', 'u_init'] }, toManager)).toEqual([{ userId: 'u_lead' }]);
  });

  it('passes over an inactive manager, and drops the initiator who has no active manager', async () => {
    expect(await resolve({ type: 'users', ids: ['u_under_gone'] }, { ...toManager, initiatorId: 'u_under_gone' })).toEqual([
      { userId: 'u_vp', substitutedFor: 'u_under_gone' },
    ]);
    expect(await resolve({ type: 'users', ids: ['u_ceo', 'u_fin1'] }, { ...toManager, initiatorId: 'u_ceo' })).toEqual([{ userId: 'u_fin1' }]);
  });

  it('leaves the initiator source alone, and lists without the initiator', async () => {
    expect(await resolve({ type: 'initiator' }, toManager)).toEqual([{ userId: 'u_init' }]);
    expect(await resolve({ type: 'role', role: 'finance' }, toManager)).toEqual([{ userId: 'u_fin1' }, { userId: 'u_fin2' }]);
  });

  it('applies to every other source, e.g. a department the initiator co-leads', async () => {
    expect(await resolve({ type: 'dept_leader' }, { ...toManager, subjectId: 'u_colead' })).toEqual([{ userId: 'u_lead', substitutedFor: 'u_init' }]);
  });

  it('is off unless asked for', async () => {
    expect(await resolveIds({ type: 'users', ids: ['u_init'] }, { whenApproverIsInitiator: 'approve_self' })).toEqual(['u_init']);
    expect(await resolveIds({ type: 'users', ids: ['u_init'] })).toEqual(['u_init']);
  });
});

describe('delegation', () => {
  const withDelegation = { applyDelegation: true } as const;

  it('sends a running delegation to the delegate, naming the delegator', async () => {
    expect(await resolve({ type: 'users', ids: ['u_fin1', 'u_lead', 'u_ceo'] }, withDelegation)).toEqual([
      { userId: 'u_fin1' },
      { userId: 'u_deputy', delegatedFrom: 'u_lead' },
      { userId: 'u_ceo' },
    ]);
  });

  it('only when applyDelegation is asked for (cc recipients do not follow delegations)', async () => {
    expect(await resolveIds({ type: 'users', ids: ['u_lead'] })).toEqual(['u_lead']);
  });

  it('ignores expired, future, revoked and other-flow delegations, and those to an inactive delegate', async () => {
    const ids = ['u_vp', 'u_fin2', 'u_colead', 'u_ceo', 'u_fin1'];
    expect(await resolve({ type: 'users', ids }, withDelegation)).toEqual(ids.map((userId) => ({ userId })));
  });

  it('honours a delegation scoped to the flow being resolved', async () => {
    expect(await resolve({ type: 'users', ids: ['u_ceo'] }, { ...withDelegation, flowCode: 'other_flow' })).toEqual([
      { userId: 'u_deputy', delegatedFrom: 'u_ceo' },
    ]);
  });

  it('follows one hop only', async () => {
    expect(await resolve({ type: 'users', ids: ['u_hop1'] }, withDelegation)).toEqual([{ userId: 'u_hop2', delegatedFrom: 'u_hop1' }]);
    expect(await resolve({ type: 'users', ids: ['u_hop1', 'u_hop2'] }, withDelegation)).toEqual([
      { userId: 'u_hop2', delegatedFrom: 'u_hop1' },
      { userId: 'u_hop3', delegatedFrom: 'u_hop2' },
    ]);
  });

  it('keeps the first assignment when a delegate is already in the list', async () => {
    expect(await resolve({ type: 'users', ids: ['u_lead', 'u_deputy'] }, withDelegation)).toEqual([{ userId: 'u_deputy', delegatedFrom: 'u_lead' }]);
    expect(await resolve({ type: 'users', ids: ['u_deputy', 'u_lead'] }, withDelegation)).toEqual([{ userId: 'u_deputy' }]);
  });

  it("applies to the initiator's substitute too", async () => {
    expect(await resolve({ type: 'users', ids: ['u_init'] }, { ...withDelegation, whenApproverIsInitiator: 'to_manager' })).toEqual([
      { userId: 'u_deputy', delegatedFrom: 'u_lead', substitutedFor: 'u_init' },
    ]);
  });

  it('applies to derived sources (manager, dept_leader)', async () => {
    expect(await resolve({ type: 'manager', levels: 2 }, withDelegation)).toEqual([{ userId: 'u_deputy', delegatedFrom: 'u_lead' }, { userId: 'u_vp' }]);
    expect(await resolve({ type: 'dept_leader' }, withDelegation)).toEqual([{ userId: 'u_deputy', delegatedFrom: 'u_lead' }]);
  });
});
