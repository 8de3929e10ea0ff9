import type { InstanceView } from '../../engine/instance-view';
import { approvalCardParams, outTrackIdOf, taskPageUrl, type CardContext } from './approval-card';

const view: InstanceView = {
  instanceId: 'approval:po:PO-1',
  flowCode: 'po',
  flowName: '采购审批',
  flowVersion: 1,
  businessKey: 'PO-1',
  status: 'running',
  initiatorId: 'u_zhang',
  form: { amount: 12000, urgent: true, note: '办公椅', hidden: 'x' },
  currentNodeIds: ['cs'],
  returnedToInitiator: false,
  tasks: [
    { taskId: 'cs.1', nodeId: 'cs', assigneeId: 'u_li', status: 'approved', createdAt: '2026-01-01T00:00:00Z', nodeName: '会签' },
    { taskId: 'cs.2', nodeId: 'cs', assigneeId: 'u_wang', status: 'pending', createdAt: '2026-01-01T00:00:00Z', nodeName: '会签' },
    { taskId: 'cs.3', nodeId: 'cs', assigneeId: 'u_zhao', status: 'transferred', createdAt: '2026-01-01T00:00:00Z', nodeName: '会签' },
  ],
  automaticOutcomes: [],
  createdAt: '2026-01-01T00:00:00Z',
};

const context: CardContext = {
  view,
  formFields: [
    { key: 'amount', type: 'number', label: '金额' },
    { key: 'urgent', type: 'boolean', label: '加急' },
    { key: 'note', type: 'string' },
    { key: 'missing', type: 'string', label: '未填' },
  ],
  names: new Map([
    ['u_zhang', '张三'],
    ['u_li', '李四'],
    ['u_wang', '王五'],
  ]),
  publicBaseUrl: 'https://approvals.example.com/',
};

describe('the approval card', () => {
  it('shows the title, initiator, labelled key fields, the task and the node', () => {
    expect(approvalCardParams(context, view.tasks[1]!)).toEqual({
      title: '张三提交的采购审批',
      initiator: '张三',
      fields: JSON.stringify([
        { label: '金额', value: '12000' },
        { label: '加急', value: '是' },
        { label: 'note', value: '办公椅' },
      ]),
      status: 'pending',
      statusText: '待审批',
      result: '审批中',
      actor: '',
      nodeStatus: '李四已同意；王五待审批',
      actionable: 'true',
      detailUrl: 'https://approvals.example.com/h5/tasks/approval%3Apo%3APO-1/cs.2',
    });
  });

  it('a decided task shows who decided and no buttons; an ended instance no buttons on any card', () => {
    expect(approvalCardParams(context, view.tasks[0]!)).toMatchObject({ status: 'approved', statusText: '已同意', actor: '李四', actionable: 'false' });
    expect(approvalCardParams({ ...context, view: { ...view, status: 'rejected' } }, view.tasks[1]!)).toMatchObject({
      actionable: 'false',
      result: '审批拒绝',
    });
    expect(approvalCardParams(context, view.tasks[2]!)).toMatchObject({ statusText: '已转交', actor: 'u_zhao转交' });
  });

  it('every value is a string, as DingTalk requires', () => {
    for (const task of view.tasks) for (const value of Object.values(approvalCardParams(context, task))) expect(typeof value).toBe('string');
  });

  it('one outTrackId per task of each instance: the same task ids in two instances get two', () => {
    expect(outTrackIdOf('approval:a:1', 'n.1')).toBe(outTrackIdOf('approval:a:1', 'n.1'));
    expect(outTrackIdOf('approval:a:1', 'n.1')).not.toBe(outTrackIdOf('approval:a:2', 'n.1'));
    expect(outTrackIdOf('approval:a:1', 'n.1')).toMatch(/^apv_[0-9a-f]{40}$/);
  });

  it('links to the H5 page of the task', () => {
    expect(taskPageUrl('http://localhost:3000', 'approval:po:A/B', 't.1')).toBe('http://localhost:3000/h5/tasks/approval%3Apo%3AA%2FB/t.1');
  });
});
