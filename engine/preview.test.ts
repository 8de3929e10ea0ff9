import type { Assignment } from './assignment';
import type { FlowDefinition, FlowNode } from './dsl';
import { approverLookup } from './lookup-request';
import { plannedRoute, previewLookups, previewRoute } from './preview';
import { Driver, approval, flow, line } from '../test/support/engine-driver';

const start = (next: string): FlowNode => ({ id: 'start', type: 'start', next });
const end: FlowNode = { id: 'end', type: 'end' };

const definition: FlowDefinition = flow([
  start('mgr'),
  approval('mgr', ['m1'], 'route', { name: '直属主管', mode: 'sequential' }),
  { id: 'route', type: 'condition', branches: [{ when: { field: 'amount', op: '>', value: 10000 }, next: 'fork' }], default: 'notify' },
  { id: 'fork', type: 'parallel', branches: ['cfo', 'legal'] },
  approval('cfo', ['cfo'], 'join', { mode: 'any' }),
  approval('legal', ['l1', 'l2'], 'join', { mode: 'vote', passRatio: 0.5 }),
  { id: 'join', type: 'join', next: 'notify' },
  { id: 'notify', type: 'cc', recipients: { type: 'role', role: 'finance' }, next: 'end' },
  end,
]);

const ids = (route: FlowNode[]) => route.map((n) => n.id);

describe('plannedRoute', () => {
  it('follows the condition for the form: the default branch', () => {
    expect(ids(plannedRoute(definition, { amount: 500 }))).toEqual(['start', 'mgr', 'route', 'notify', 'end']);
  });

  it('follows the condition for the form: every branch of a fork, the join once', () => {
    expect(ids(plannedRoute(definition, { amount: 50000 }))).toEqual(['start', 'mgr', 'route', 'fork', 'cfo', 'join', 'notify', 'end', 'legal']);
  });

  it('uses the engine’s own strict comparison', () => {
    expect(ids(plannedRoute(definition, { amount: '50000' }))).not.toContain('fork');
  });

  it('throws on a definition naming an unknown node', () => {
    expect(() => plannedRoute(flow([start('ghost'), end]), {})).toThrow(/ghost/);
  });

  it('agrees with where a running instance goes', () => {
    for (const amount of [500, 50000]) {
      const d = Driver.start(definition, { form: { amount } });
      d.approve('m1');
      const approvalsOnRoute = plannedRoute(definition, { amount })
        .filter((n) => n.type === 'approval' && n.id !== 'mgr')
        .map((n) => n.id);
      expect(d.nodes()).toEqual(approvalsOnRoute);
    }
  });
});

describe('previewLookups', () => {
  it('one lookup per approval and cc node, the same requests the running instance makes', () => {
    const ctx = { instanceId: 'preview:test_flow', flowCode: 'test_flow', initiatorId: 'init' };
    const lookups = previewLookups(plannedRoute(definition, { amount: 50000 }), ctx);
    expect(lookups.map((l) => l.nodeId)).toEqual(['mgr', 'cfo', 'notify', 'legal']);
    expect(lookups[0]!.request).toEqual({
      instanceId: 'preview:test_flow',
      flowCode: 'test_flow',
      source: { type: 'users', ids: ['m1'] },
      subjectId: 'init',
      initiatorId: 'init',
      applyDelegation: true,
    });
    expect(lookups[2]!.request).toMatchObject({ source: { type: 'role', role: 'finance' }, applyDelegation: false });

    const d = Driver.start(definition, { form: { amount: 50000 } });
    d.approve('m1');
    d.approve('cfo');
    d.approve('l1');
    expect(d.status).toBe('approved');
    const running = d.resolves().map((c) => ({ ...c.request, instanceId: 'preview:test_flow' }));
    expect(running).toEqual(expect.arrayContaining(lookups.map((l) => l.request)));
  });

  it('passes the ids the initiator selected, and the initiator rule', () => {
    const def = line(['pick', [], { approvers: { type: 'initiator_select' }, whenApproverIsInitiator: 'to_manager' }]);
    const [lookup] = previewLookups(plannedRoute(def, {}), {
      instanceId: 'p',
      flowCode: 'test_flow',
      initiatorId: 'init',
      selectedApprovers: { pick: ['u7'] },
    });
    expect(lookup!.request).toMatchObject({ selected: ['u7'], whenApproverIsInitiator: 'to_manager' });
    expect(lookup!.request).toEqual(
      approverLookup({ instanceId: 'p', flowCode: 'test_flow', initiatorId: 'init', selectedApprovers: { pick: ['u7'] } }, def.nodes[1] as never),
    );
  });
});

describe('previewRoute', () => {
  const answers = (entries: Record<string, string[]>) => new Map(Object.entries(entries).map(([k, v]) => [k, v.map((userId): Assignment => ({ userId }))]));

  it('lists every node with its approvers or recipients', () => {
    const route = plannedRoute(definition, { amount: 50000 });
    const nodes = previewRoute(route, 'init', answers({ mgr: ['m1'], cfo: ['cfo'], legal: ['l1', 'l2'], notify: ['f1'] }));
    expect(nodes).toEqual([
      { nodeId: 'start', type: 'start' },
      { nodeId: 'mgr', type: 'approval', name: '直属主管', mode: 'sequential', approvers: [{ userId: 'm1' }] },
      { nodeId: 'route', type: 'condition' },
      { nodeId: 'fork', type: 'parallel' },
      { nodeId: 'cfo', type: 'approval', mode: 'any', approvers: [{ userId: 'cfo' }] },
      { nodeId: 'join', type: 'join' },
      { nodeId: 'notify', type: 'cc', recipients: ['f1'] },
      { nodeId: 'end', type: 'end' },
      { nodeId: 'legal', type: 'approval', mode: 'vote', approvers: [{ userId: 'l1' }, { userId: 'l2' }] },
    ]);
  });

  it('marks dedupe after an all or sequential node, not after any or vote', () => {
    const def = line(
      ['a', ['u1', 'u2'], { mode: 'all' }],
      ['b', ['u3'], { mode: 'any' }],
      ['c', ['u4', 'u5'], { mode: 'vote', passCount: 1 }],
      ['d', ['u1', 'u3', 'u4', 'u6'], { mode: 'sequential' }],
      ['e', ['u6']],
    );
    const nodes = previewRoute(plannedRoute(def, {}), 'init', answers({ a: ['u1', 'u2'], b: ['u3'], c: ['u4', 'u5'], d: ['u1', 'u3', 'u4', 'u6'], e: ['u6'] }));
    expect(nodes.find((n) => n.nodeId === 'd')!.approvers).toEqual([
      { userId: 'u1', autoApproved: 'dedupe' },
      { userId: 'u3' },
      { userId: 'u4' },
      { userId: 'u6' },
    ]);
    expect(nodes.find((n) => n.nodeId === 'e')!.approvers).toEqual([{ userId: 'u6', autoApproved: 'dedupe' }]);
  });

  it('does not mark dedupe on a node that turned it off', () => {
    const def = line(['a', ['u1']], ['b', ['u1'], { dedupe: false }]);
    const nodes = previewRoute(plannedRoute(def, {}), 'init', answers({ a: ['u1'], b: ['u1'] }));
    expect(nodes.find((n) => n.nodeId === 'b')!.approvers).toEqual([{ userId: 'u1' }]);
  });

  it('marks the initiator auto-approved by the initiator rule, not for an initiator source', () => {
    const def = line(
      ['a', ['init', 'u1'], { whenApproverIsInitiator: 'auto_approve', mode: 'any' }],
      ['b', [], { approvers: { type: 'initiator' }, whenApproverIsInitiator: 'auto_approve' }],
    );
    const nodes = previewRoute(plannedRoute(def, {}), 'init', answers({ a: ['init', 'u1'], b: ['init'] }));
    expect(nodes.find((n) => n.nodeId === 'a')!.approvers).toEqual([{ userId: 'init', autoApproved: 'initiator' }, { userId: 'u1' }]);
    expect(nodes.find((n) => n.nodeId === 'b')!.approvers).toEqual([{ userId: 'init' }]);
  });

  it('says what onEmpty would do when nobody resolves (reject by default)', () => {
    const def = line(
      ['a', [], { approvers: { type: 'role', role: 'x' } }],
      ['b', [], { approvers: { type: 'role', role: 'y' }, onEmpty: 'to_admin' }],
      ['c', ['u1']],
    );
    const nodes = previewRoute(plannedRoute(def, {}), 'init', answers({ c: ['u1'] }));
    expect(nodes.find((n) => n.nodeId === 'a')!.whenEmpty).toBe('reject');
    expect(nodes.find((n) => n.nodeId === 'b')!.whenEmpty).toBe('to_admin');
    expect(nodes.find((n) => n.nodeId === 'c')!.whenEmpty).toBeUndefined();
  });

  it('keeps delegation details of the lookup', () => {
    const nodes = previewRoute(plannedRoute(line(['a', ['u1']]), {}), 'init', new Map([['a', [{ userId: 'd1', delegatedFrom: 'u1' }]]]));
    expect(nodes[1]!.approvers).toEqual([{ userId: 'd1', delegatedFrom: 'u1' }]);
  });

  it('agrees with the engine on dedupe after an all node', () => {
    const def = line(['a', ['u1', 'u2']], ['b', ['u2', 'u3']]);
    const preview = previewRoute(plannedRoute(def, {}), 'init', answers({ a: ['u1', 'u2'], b: ['u2', 'u3'] }));
    const d = Driver.start(def);
    d.approve('u1');
    d.approve('u2');
    expect(preview.find((n) => n.nodeId === 'b')!.approvers).toEqual([{ userId: 'u2', autoApproved: 'dedupe' }, { userId: 'u3' }]);
    expect(d.statuses('b')).toEqual([
      ['u2', 'auto_approved'],
      ['u3', 'pending'],
    ]);
  });

  // Suspected bug (preview vs engine): see the report. The preview counts an initiator
  // auto-approved by the initiator rule as a certain approver, so it predicts dedupe later; the
  // engine only dedupes on a person's own approval and gives the initiator a task.
  it('agrees with the engine on an initiator auto-approved earlier', () => {
    const def = line(['a', ['init', 'u1'], { whenApproverIsInitiator: 'auto_approve' }], ['b', ['init']]);
    const preview = previewRoute(plannedRoute(def, {}), 'init', answers({ a: ['init', 'u1'], b: ['init'] }));
    const d = Driver.start(def);
    d.approve('u1');
    const engineSays = d.task('init', 'b').status === 'auto_approved' ? 'dedupe' : undefined;
    expect(preview.find((n) => n.nodeId === 'b')!.approvers![0]!.autoApproved).toBe(engineSays);
  });
});
