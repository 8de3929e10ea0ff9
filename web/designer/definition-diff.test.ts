import { demoFlow } from '../../db/seed-demo';
import type { FlowDefinition } from '../../engine/dsl';
import { diffDefinitions } from './definition-diff';

describe('the diff between two versions', () => {
  it('is empty for the same flow', () => {
    expect(diffDefinitions(demoFlow, structuredClone(demoFlow))).toEqual([]);
  });

  it('names the nodes and form fields added, removed and changed, field by field', () => {
    const after: FlowDefinition = structuredClone(demoFlow);
    after.name = '采购申请（新）';
    after.form.fields.push({ key: 'category', type: 'string', label: '类别', options: ['办公', '设备'] });
    after.form.fields[1]!.required = false;
    after.nodes = after.nodes.filter((n) => n.id !== 'notify');
    after.nodes.find((n) => n.id === 'cfo')!.name = 'CFO';
    const cfo = after.nodes.find((n) => n.id === 'cfo');
    if (cfo?.type === 'approval') cfo.approvers = { type: 'users', ids: ['u_wangwu', 'u_zhaoliu'] };
    after.nodes.push({ id: 'audit', type: 'cc', recipients: { type: 'role', role: 'audit' }, next: 'end' });
    expect(diffDefinitions(demoFlow, after)).toEqual([
      { kind: 'flow', changes: [{ path: 'name', before: '"采购申请"', after: '"采购申请（新）"' }] },
      { kind: 'field_changed', key: 'amount', label: '金额', changes: [{ path: 'required', before: 'true', after: 'false' }] },
      { kind: 'field_added', key: 'category', label: '类别' },
      { kind: 'node_removed', id: 'notify', type: 'cc', name: '抄送财务' },
      {
        kind: 'node_changed',
        id: 'cfo',
        type: 'approval',
        name: 'CFO',
        changes: [
          { path: 'name', before: '"财务总监"', after: '"CFO"' },
          { path: 'approvers.ids.1', before: undefined, after: '"u_zhaoliu"' },
        ],
      },
      { kind: 'node_added', id: 'audit', type: 'cc' },
    ]);
  });
});
