import { currentAssignees, currentNodeIds, lookupAnswered, startInstance, type StartInstanceInput } from './instance';
import { Driver, T0, line, minutesAfter } from '../test/support/engine-driver';

describe('driving the engine by hand (as the workflow does)', () => {
  const definition = line(['mgr', ['u1', 'u2'], { mode: 'any' }]);
  const input: StartInstanceInput = {
    instanceId: 'approval:test_flow:BK-1',
    flowCode: 'test_flow',
    flowVersion: 3,
    definition,
    businessKey: 'BK-1',
    initiatorId: 'init',
    form: { amount: 1 },
    appKey: 'erp',
  };

  it('entering an approval node asks for its approvers and waits in "resolving"', () => {
    const { state, commands } = startInstance(input, T0);
    expect(state.status).toBe('running');
    expect(commands).toEqual([
      {
        type: 'resolve',
        purpose: { kind: 'node', runId: 1 },
        request: {
          instanceId: input.instanceId,
          flowCode: 'test_flow',
          source: { type: 'users', ids: ['u1', 'u2'] },
          subjectId: 'init',
          initiatorId: 'init',
          applyDelegation: true,
        },
      },
    ]);
    expect(state.runs).toEqual([expect.objectContaining({ runId: 1, nodeId: 'mgr', phase: 'resolving', token: '' })]);
    expect(currentNodeIds(state)).toEqual(['mgr']);
    expect(currentAssignees(state)).toEqual([]);
    expect(state.timeline.map((e) => e.type)).toEqual(['instance_started', 'node_entered']);
    expect(state.timeline[0]).toMatchObject({ seq: 1, actorId: 'init', at: T0, data: { flowVersion: 3 } });
  });

  it('the answer opens one pending task per distinct assignee, keeping delegation', () => {
    const started = startInstance(input, T0);
    const t1 = minutesAfter(1);
    const { state, commands } = lookupAnswered(
      started.state,
      { kind: 'node', runId: 1 },
      [{ userId: 'u1' }, { userId: 'd2', delegatedFrom: 'u2' }, { userId: 'u1' }],
      t1,
    );
    expect(commands).toEqual([]);
    expect(state.tasks).toEqual([
      { taskId: 'mgr.1', nodeId: 'mgr', runId: 1, seat: 0, assigneeId: 'u1', status: 'pending', createdAt: t1 },
      { taskId: 'mgr.2', nodeId: 'mgr', runId: 1, seat: 1, assigneeId: 'd2', status: 'pending', delegatedFrom: 'u2', createdAt: t1 },
    ]);
    expect(state.runs[0]!.phase).toBe('active');
    expect(currentAssignees(state)).toEqual(['u1', 'd2']);
  });

  it('does not change the state it is given', () => {
    const started = startInstance(input, T0);
    const before = JSON.stringify(started.state);
    lookupAnswered(started.state, { kind: 'node', runId: 1 }, [{ userId: 'u1' }], T0);
    expect(JSON.stringify(started.state)).toBe(before);
  });

  it('ignores an answer for a run it is no longer resolving', () => {
    const started = startInstance(input, T0);
    const opened = lookupAnswered(started.state, { kind: 'node', runId: 1 }, [{ userId: 'u1' }], T0).state;
    const again = lookupAnswered(opened, { kind: 'node', runId: 1 }, [{ userId: 'u9' }], T0);
    expect(again.state).toEqual(opened);
    expect(lookupAnswered(opened, { kind: 'node', runId: 42 }, [{ userId: 'u9' }], T0).state).toEqual(opened);
  });

  it('a flow from start straight to end is approved at once', () => {
    const { state, commands } = startInstance(
      {
        ...input,
        definition: {
          ...definition,
          nodes: [
            { id: 'start', type: 'start', next: 'end' },
            { id: 'end', type: 'end' },
          ],
        },
      },
      T0,
    );
    expect(commands).toEqual([]);
    expect(state).toMatchObject({ status: 'approved', completedAt: T0 });
  });
});

describe('mode all (会签)', () => {
  const definition = line(['n', ['u1', 'u2', 'u3'], { mode: 'all' }]);

  it('completes only when every assignee approved', () => {
    const d = Driver.start(definition);
    d.approve('u1');
    d.approve('u3');
    expect(d.status).toBe('running');
    expect(d.assignees()).toEqual(['u2']);
    d.approve('u2');
    expect(d.status).toBe('approved');
    expect(d.statuses()).toEqual([
      ['u1', 'approved'],
      ['u2', 'approved'],
      ['u3', 'approved'],
    ]);
    expect(d.events('instance_completed')).toEqual([expect.objectContaining({ data: { status: 'approved' } })]);
  });

  it('any reject rejects the node and the instance, cancelling the other tasks', () => {
    const d = Driver.start(definition);
    d.approve('u1');
    d.after(5).reject('u2', { comment: 'too expensive' });
    expect(d.status).toBe('rejected');
    expect(d.state.completedAt).toBe(d.now);
    expect(d.statuses()).toEqual([
      ['u1', 'approved'],
      ['u2', 'rejected'],
      ['u3', 'cancelled'],
    ]);
    expect(d.task('u3')).toMatchObject({ reason: 'instance_rejected', completedAt: d.now });
    expect(d.task('u2').comment).toBe('too expensive');
    expect(d.state.runs).toEqual([]);
  });
});

describe('mode any (或签)', () => {
  const definition = line(['n', ['u1', 'u2', 'u3'], { mode: 'any' }], ['next', ['u9']]);

  it('the first approve completes the node and cancels the other tasks', () => {
    const d = Driver.start(definition);
    d.approve('u2');
    expect(d.statuses('n')).toEqual([
      ['u1', 'cancelled'],
      ['u2', 'approved'],
      ['u3', 'cancelled'],
    ]);
    expect(d.task('u1', 'n').reason).toBe('node_completed');
    expect(d.nodes()).toEqual(['next']);
    expect(d.assignees()).toEqual(['u9']);
  });

  it('is rejected only when every assignee rejected', () => {
    const d = Driver.start(definition);
    d.reject('u1');
    d.reject('u3');
    expect(d.status).toBe('running');
    expect(d.assignees()).toEqual(['u2']);
    d.reject('u2');
    expect(d.status).toBe('rejected');
  });

  it('one approve after some rejects still completes the node', () => {
    const d = Driver.start(definition);
    d.reject('u1');
    d.approve('u2');
    expect(d.nodes()).toEqual(['next']);
    expect(d.statuses('n')).toEqual([
      ['u1', 'rejected'],
      ['u2', 'approved'],
      ['u3', 'cancelled'],
    ]);
  });
});

describe('mode sequential (顺序签)', () => {
  const definition = line(['n', ['u1', 'u2', 'u3'], { mode: 'sequential' }]);

  it('opens one task at a time, in list order', () => {
    const d = Driver.start(definition);
    expect(d.assignees()).toEqual(['u1']);
    expect(d.tasks()).toHaveLength(1);
    expect(d.check('approve', 'u2')).toBe('NOT_ASSIGNEE');
    d.approve('u1');
    expect(d.assignees()).toEqual(['u2']);
    expect(d.state.runs[0]!.queue).toEqual([{ userId: 'u3' }]);
    d.approve('u2');
    expect(d.assignees()).toEqual(['u3']);
    d.approve('u3');
    expect(d.status).toBe('approved');
    expect(d.tasks().map((t) => [t.assigneeId, t.seat, t.status])).toEqual([
      ['u1', 0, 'approved'],
      ['u2', 1, 'approved'],
      ['u3', 2, 'approved'],
    ]);
  });

  it('a reject rejects the node; later approvers never get a task', () => {
    const d = Driver.start(definition);
    d.approve('u1');
    d.reject('u2');
    expect(d.status).toBe('rejected');
    expect(d.tasks().map((t) => t.assigneeId)).toEqual(['u1', 'u2']);
  });

  it('each turn starts when the previous one ends', () => {
    const d = Driver.start(definition);
    d.after(10).approve('u1');
    expect(d.task('u2').createdAt).toBe(minutesAfter(10));
  });
});

describe('mode vote (票签)', () => {
  const ratio = (passRatio: number, ids = ['u1', 'u2', 'u3', 'u4']) => line(['v', ids, { mode: 'vote', passRatio }]);
  const count = (passCount: number, ids = ['u1', 'u2', 'u3', 'u4', 'u5']) => line(['v', ids, { mode: 'vote', passCount }]);

  it('passRatio: approved as soon as enough approve; the rest are cancelled', () => {
    const d = Driver.start(ratio(0.5));
    d.approve('u1');
    expect(d.status).toBe('running');
    d.approve('u3');
    expect(d.status).toBe('approved');
    expect(d.statuses()).toEqual([
      ['u1', 'approved'],
      ['u2', 'cancelled'],
      ['u3', 'approved'],
      ['u4', 'cancelled'],
    ]);
    expect(d.task('u2').reason).toBe('node_completed');
  });

  it('passRatio: rejected as soon as the ratio can no longer be reached', () => {
    const d = Driver.start(ratio(0.75));
    d.reject('u1');
    expect(d.status).toBe('running');
    d.reject('u2');
    expect(d.status).toBe('rejected');
    expect(d.statuses()).toEqual([
      ['u1', 'rejected'],
      ['u2', 'rejected'],
      ['u3', 'cancelled'],
      ['u4', 'cancelled'],
    ]);
  });

  it('passRatio rounds the needed votes up (2/3 of 4 needs 3)', () => {
    const d = Driver.start(ratio(2 / 3));
    d.approve('u1');
    d.approve('u2');
    expect(d.status).toBe('running');
    d.approve('u3');
    expect(d.status).toBe('approved');
  });

  it('passRatio 1 needs everyone: one reject rejects', () => {
    const d = Driver.start(ratio(1, ['u1', 'u2']));
    d.approve('u1');
    expect(d.status).toBe('running');
    const rejected = Driver.start(ratio(1, ['u1', 'u2']));
    rejected.reject('u2');
    expect(rejected.status).toBe('rejected');
  });

  it('a small passRatio still needs one approval', () => {
    const d = Driver.start(ratio(0.01, ['u1', 'u2']));
    d.reject('u1');
    expect(d.status).toBe('running');
    d.approve('u2');
    expect(d.status).toBe('approved');
  });

  it('passCount: approved at the count', () => {
    const d = Driver.start(count(2));
    d.reject('u1');
    d.approve('u2');
    expect(d.status).toBe('running');
    d.approve('u5');
    expect(d.status).toBe('approved');
    expect(
      d
        .statuses()
        .filter(([, s]) => s === 'cancelled')
        .map(([u]) => u),
    ).toEqual(['u3', 'u4']);
  });

  it('passCount: rejected as soon as the count can no longer be reached', () => {
    const d = Driver.start(count(3));
    d.reject('u1');
    d.approve('u2');
    expect(d.status).toBe('running');
    d.reject('u3');
    expect(d.status).toBe('running');
    d.reject('u4');
    expect(d.status).toBe('rejected');
    expect(d.task('u5')).toMatchObject({ status: 'cancelled', reason: 'instance_rejected' });
  });

  it('passCount above the resolved approvers rejects at once', () => {
    const d = Driver.start(line(['v', ['u1', 'u2'], { mode: 'vote', passCount: 2 }]), { directory: { 'node:v': ['u1'] } });
    expect(d.status).toBe('rejected');
    expect(d.statuses()).toEqual([['u1', 'cancelled']]);
  });
});

describe('onEmpty (nobody resolved)', () => {
  const withPolicy = (onEmpty?: 'auto_approve' | 'reject' | 'to_admin') =>
    line(['n', ['u1'], { approvers: { type: 'role', role: 'ghosts' }, ...(onEmpty ? { onEmpty } : {}) }], ['after', ['u9']]);

  it('rejects by default, recording why', () => {
    const d = Driver.start(withPolicy());
    expect(d.status).toBe('rejected');
    expect(d.state.automaticOutcomes).toEqual([{ nodeId: 'n', outcome: 'rejected', reason: 'no_approver' }]);
    expect(d.events('no_approver')).toEqual([expect.objectContaining({ nodeId: 'n', data: { policy: 'reject' } })]);
  });

  it('reject', () => {
    const d = Driver.start(withPolicy('reject'));
    expect(d.status).toBe('rejected');
  });

  it('auto_approve moves on to the next node', () => {
    const d = Driver.start(withPolicy('auto_approve'));
    expect(d.status).toBe('running');
    expect(d.nodes()).toEqual(['after']);
    expect(d.state.automaticOutcomes).toEqual([{ nodeId: 'n', outcome: 'approved', reason: 'no_approver' }]);
    expect(d.state.completedRuns.map((r) => r.nodeId)).toEqual(['n']);
  });

  it('to_admin asks for the flow admins and gives them the tasks', () => {
    const definition = { ...withPolicy('to_admin'), admins: ['adm1', 'adm2'] };
    const d = Driver.start(definition);
    expect(d.resolves('node_admins')).toEqual([
      expect.objectContaining({
        purpose: { kind: 'node_admins', runId: 1 },
        request: expect.objectContaining({ source: { type: 'admins', ids: ['adm1', 'adm2'] }, applyDelegation: true }),
      }),
    ]);
    expect(d.nodes()).toEqual(['n']);
    expect(d.assignees()).toEqual(['adm1', 'adm2']);
    d.approve('adm1');
    d.approve('adm2');
    expect(d.nodes()).toEqual(['after']);
  });

  it('to_admin without flow admins asks for the approval_admin role', () => {
    const d = Driver.start(withPolicy('to_admin'), { directory: { 'role:approval_admin': ['root'] } });
    expect(d.resolves('node_admins')[0]!.request.source).toEqual({ type: 'admins', ids: [] });
    expect(d.assignees()).toEqual(['root']);
  });

  it('to_admin with no admin found rejects, recording no_admin', () => {
    const d = Driver.start(withPolicy('to_admin'));
    expect(d.status).toBe('rejected');
    expect(d.state.automaticOutcomes).toEqual([{ nodeId: 'n', outcome: 'rejected', reason: 'no_admin' }]);
  });

  it('the run waits while the admins are looked up', () => {
    const d = Driver.start(withPolicy('to_admin'), { hold: (p) => p.kind === 'node_admins' });
    expect(d.state.runs[0]!.phase).toBe('resolving');
    expect(d.assignees()).toEqual([]);
    d.answer(['root'], 'node_admins');
    expect(d.assignees()).toEqual(['root']);
  });
});

describe('dedupe', () => {
  it('on by default: an assignee who approved earlier is auto-approved (and logged)', () => {
    const d = Driver.start(line(['a', ['u1'], { mode: 'any' }], ['b', ['u1', 'u2'], { mode: 'all' }]));
    d.approve('u1');
    expect(d.task('u1', 'b')).toMatchObject({ status: 'auto_approved', reason: 'dedupe', completedAt: T0 });
    expect(d.assignees()).toEqual(['u2']);
    expect(d.events('task_completed')).toEqual([
      expect.objectContaining({ taskId: d.task('u1', 'b').taskId, data: { status: 'auto_approved', reason: 'dedupe' } }),
    ]);
    d.approve('u2');
    expect(d.status).toBe('approved');
  });

  it('a node whose only assignee already approved completes on its own', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u1']], ['c', ['u3']]));
    d.approve('u1');
    expect(d.nodes()).toEqual(['c']);
  });

  it('off: the assignee acts again', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u1'], { dedupe: false }]));
    d.approve('u1');
    expect(d.task('u1', 'b').status).toBe('pending');
    d.approve('u1');
    expect(d.status).toBe('approved');
  });

  it('a rejected or cancelled task does not count', () => {
    const d = Driver.start(line(['a', ['u1', 'u2'], { mode: 'any' }], ['b', ['u1', 'u2']]));
    d.reject('u1');
    d.approve('u2');
    expect(d.statuses('b')).toEqual([
      ['u1', 'pending'],
      ['u2', 'auto_approved'],
    ]);
  });

  it('sequential: a deduped turn passes straight to the next', () => {
    const d = Driver.start(line(['a', ['u2']], ['b', ['u1', 'u2', 'u3'], { mode: 'sequential' }]));
    d.approve('u2');
    d.approve('u1');
    expect(d.statuses('b')).toEqual([
      ['u1', 'approved'],
      ['u2', 'auto_approved'],
      ['u3', 'pending'],
    ]);
  });
});

describe('whenApproverIsInitiator', () => {
  it('auto_approve: the initiator resolved as approver is approved without acting', () => {
    const d = Driver.start(line(['n', ['init', 'u2'], { whenApproverIsInitiator: 'auto_approve' }]));
    expect(d.task('init')).toMatchObject({ status: 'auto_approved', reason: 'initiator' });
    expect(d.assignees()).toEqual(['u2']);
    d.approve('u2');
    expect(d.status).toBe('approved');
  });

  it('auto_approve does not apply to an "initiator" approver source', () => {
    const d = Driver.start(line(['n', [], { approvers: { type: 'initiator' }, whenApproverIsInitiator: 'auto_approve' }]));
    expect(d.task('init').status).toBe('pending');
  });

  it('approve_self (default): the initiator acts like anyone else', () => {
    const d = Driver.start(line(['n', ['init']]));
    expect(d.assignees()).toEqual(['init']);
    d.approve('init');
    expect(d.status).toBe('approved');
  });

  it('to_manager: the lookup substitutes the manager and the task says so', () => {
    const d = Driver.start(line(['n', ['init', 'u2'], { whenApproverIsInitiator: 'to_manager' }]), { directory: { 'manager:init': ['boss'] } });
    expect(d.resolves('node')[0]!.request.whenApproverIsInitiator).toBe('to_manager');
    expect(d.task('boss')).toMatchObject({ status: 'pending', substitutedFor: 'init' });
  });
});

describe('approver sources reach the lookup unchanged', () => {
  it('initiator_select passes the ids chosen for that node', () => {
    const d = Driver.start(line(['pick', [], { approvers: { type: 'initiator_select', multiple: true } }]), { selectedApprovers: { pick: ['u7', 'u8'] } });
    expect(d.resolves('node')[0]!.request).toMatchObject({ source: { type: 'initiator_select', multiple: true }, selected: ['u7', 'u8'] });
    expect(d.assignees()).toEqual(['u7', 'u8']);
  });

  it('initiator_select with nothing chosen asks with an empty list', () => {
    const d = Driver.start(line(['pick', [], { approvers: { type: 'initiator_select' }, onEmpty: 'auto_approve' }]));
    expect(d.resolves('node')[0]!.request.selected).toEqual([]);
    expect(d.status).toBe('approved');
  });

  it('role, manager and dept_leader go to the lookup with the initiator as subject', () => {
    const d = Driver.start(
      line(
        ['r', [], { approvers: { type: 'role', role: 'finance' } }],
        ['m', [], { approvers: { type: 'manager', levels: 2 } }],
        ['l', [], { approvers: { type: 'dept_leader' } }],
      ),
      { directory: { 'role:finance': ['f1'], 'manager:init': ['m1'], 'dept_leader:init': ['l1'] } },
    );
    d.approve('f1');
    d.approve('m1');
    d.approve('l1');
    expect(d.status).toBe('approved');
    expect(d.resolves('node').map((c) => [c.request.source, c.request.subjectId])).toEqual([
      [{ type: 'role', role: 'finance' }, 'init'],
      [{ type: 'manager', levels: 2 }, 'init'],
      [{ type: 'dept_leader' }, 'init'],
    ]);
  });
});

describe('sequential with per-turn lookups (features.turnLookups)', () => {
  const definition = line(['n', ['u1', 'u2', 'u3'], { mode: 'sequential' }], ['m', ['u9']]);

  it('without the feature, the later turns use the answer given when the node began', () => {
    const directory: Record<string, string[]> = {};
    const d = Driver.start(definition, { directory });
    directory['delegate:u2'] = ['d2'];
    d.approve('u1');
    expect(d.assignees()).toEqual(['u2']);
    expect(d.resolves('turn')).toEqual([]);
  });

  it('each later turn looks its assignee up again when it begins, so a new delegation applies', () => {
    const directory: Record<string, string[]> = {};
    const d = Driver.start(definition, { directory, features: { turnLookups: true } });
    expect(d.resolves('turn')).toEqual([]);
    directory['delegate:u2'] = ['d2'];
    d.approve('u1');
    expect(d.resolves('turn')).toEqual([
      expect.objectContaining({
        purpose: { kind: 'turn', runId: 1, turn: 1 },
        request: expect.objectContaining({ source: { type: 'users', ids: ['u2'] }, applyDelegation: true }),
      }),
    ]);
    expect(d.task('d2')).toMatchObject({ status: 'pending', delegatedFrom: 'u2', seat: 1 });
    d.approve('d2');
    expect(d.assignees()).toEqual(['u3']);
    d.approve('u3');
    expect(d.nodes()).toEqual(['m']);
  });

  it('the node waits while the turn is looked up', () => {
    const d = Driver.start(definition, { features: { turnLookups: true }, hold: (p) => p.kind === 'turn' });
    d.approve('u1');
    expect(d.assignees()).toEqual([]);
    expect(d.nodes()).toEqual(['n']);
    expect(d.status).toBe('running');
    d.answer(['u2'], 'turn');
    expect(d.assignees()).toEqual(['u2']);
  });

  it('a person no longer active (empty answer) is skipped, recorded as such', () => {
    const d = Driver.start(definition, { features: { turnLookups: true }, hold: (p) => p.kind === 'turn' });
    d.approve('u1');
    d.answer([], 'turn');
    expect(d.events('turn_skipped')).toEqual([expect.objectContaining({ nodeId: 'n', data: expect.objectContaining({ userId: 'u2' }) })]);
    d.answer(['u3'], 'turn');
    expect(d.assignees()).toEqual(['u3']);
    d.approve('u3');
    expect(d.nodes()).toEqual(['m']);
  });

  it('skipping the last turn completes the node', () => {
    const d = Driver.start(line(['n', ['u1', 'u2'], { mode: 'sequential' }], ['m', ['u9']]), {
      features: { turnLookups: true },
      hold: (p) => p.kind === 'turn',
    });
    d.approve('u1');
    d.answer([], 'turn');
    expect(d.nodes()).toEqual(['m']);
  });

  it('a revoke while the turn is looked up takes the turn back; the late answer is ignored', () => {
    const d = Driver.start(definition, { features: { turnLookups: true }, hold: (p) => p.kind === 'turn' });
    d.approve('u1');
    d.do('revoke', 'u1');
    expect(d.assignees()).toEqual(['u1']);
    const before = d.state;
    d.answer(['u2'], 'turn');
    expect(d.state.tasks).toEqual(before.tasks);
    expect(d.assignees()).toEqual(['u1']);
  });

  it('dedupe still applies to a turn that was looked up', () => {
    const d = Driver.start(line(['a', ['u2']], ['n', ['u1', 'u2', 'u3'], { mode: 'sequential' }]), { features: { turnLookups: true } });
    d.approve('u2');
    d.approve('u1');
    expect(d.task('u2', 'n')).toMatchObject({ status: 'auto_approved', reason: 'dedupe' });
    expect(d.assignees()).toEqual(['u3']);
  });
});
