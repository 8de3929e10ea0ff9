import type { FlowDefinition } from '../engine/dsl';
import { parseDefinitionForPublish } from '../engine/parse-definition';
import { upsertApp } from './apps';
import type { Db } from './client';
import { findDraft, publishDraft, saveDraft } from './definitions';
import { departments, users } from './schema';
import type { SecretBox } from './secret-box';

export const DEMO_APP_KEY = 'demo-erp';

export const demoUsers = [
  { id: 'u_zhangsan', name: '张三', title: '采购专员', deptIds: ['d_purchase'], managerId: 'u_lisi', email: 'zhangsan@example.com' },
  { id: 'u_lisi', name: '李四', title: '采购经理', deptIds: ['d_purchase'], managerId: 'u_wangwu', email: 'lisi@example.com' },
  { id: 'u_wangwu', name: '王五', title: '财务总监', deptIds: ['d_finance'], email: 'wangwu@example.com', roles: ['finance'] },
  { id: 'u_zhaoliu', name: '赵六', title: '总经理', deptIds: ['d_office'], email: 'zhaoliu@example.com' },
];

export const demoDepartments = [
  { id: 'd_office', name: '总经办', leaderIds: ['u_zhaoliu'] },
  { id: 'd_purchase', name: '采购部', parentId: 'd_office', leaderIds: ['u_lisi'] },
  { id: 'd_finance', name: '财务部', parentId: 'd_office', leaderIds: ['u_wangwu'] },
];

export const demoFlow: FlowDefinition = {
  code: 'purchase_request',
  name: '采购申请',
  form: {
    fields: [
      { key: 'title', type: 'string', label: '事由', required: true },
      { key: 'amount', type: 'number', label: '金额', required: true },
    ],
  },
  nodes: [
    { id: 'start', type: 'start', next: 'manager' },
    {
      id: 'manager',
      type: 'approval',
      name: '直属主管',
      approvers: { type: 'manager', levels: 1 },
      mode: 'sequential',
      onEmpty: 'auto_approve',
      timeout: { remindAfter: 'PT24H', remindEvery: 'PT24H', actAfter: 'PT72H', action: 'escalate' },
      next: 'by_amount',
    },
    {
      id: 'by_amount',
      type: 'condition',
      name: '按金额',
      branches: [{ when: { all: [{ field: 'amount', op: '>', value: 10000 }] }, next: 'cfo', name: '金额 > 10000' }],
      default: 'notify',
    },
    { id: 'cfo', type: 'approval', name: '财务总监', approvers: { type: 'users', ids: ['u_wangwu'] }, mode: 'any', next: 'notify' },
    { id: 'notify', type: 'cc', name: '抄送财务', recipients: { type: 'role', role: 'finance' }, next: 'end' },
    { id: 'end', type: 'end' },
  ],
};

/**
 * Embedded mode's demo: the `demo-erp` app (every permission, secret from DEMO_ERP_SECRET), a
 * small org (departments and a reporting line) and one published flow: the direct manager,
 * then the CFO above ¥10,000, then a cc to finance. Users and the flow are only added when absent, so a client's
 * own changes survive restarts.
 */
export async function seedDemo(db: Db, box: SecretBox, demoSecret: string): Promise<void> {
  await upsertApp(db, box, { key: DEMO_APP_KEY, name: 'Demo ERP', secret: demoSecret, permissions: ['start', 'act_for', 'sync', 'admin'] });
  await db
    .insert(users)
    .values(demoUsers.map((u) => ({ ...u, roles: u.roles ?? [] })))
    .onConflictDoNothing({ target: users.id });
  await db
    .insert(departments)
    .values(demoDepartments.map((d) => ({ ...d, parentId: d.parentId ?? null })))
    .onConflictDoNothing({ target: departments.id });
  if (!(await findDraft(db, demoFlow.code))) {
    const parsed = parseDefinitionForPublish(demoFlow);
    if (!parsed.ok) throw new Error(`demo flow is invalid: ${JSON.stringify(parsed.problems)}`);
    await saveDraft(db, parsed.definition);
    await publishDraft(db, demoFlow.code, parsed.definition);
  }
}
