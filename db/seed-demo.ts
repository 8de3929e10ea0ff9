import { sql } from 'drizzle-orm';
import type { FlowDefinition } from '../engine/dsl';
import { parseDefinitionForPublish } from '../engine/parse-definition';
import { upsertApp } from './apps';
import type { Db } from './client';
import { findDraft, publishDraft, saveDraft } from './definitions';
import { upsertErpSystem } from './erp-systems';
import { departments, users } from './schema';
import type { SecretBox } from './secret-box';

export const DEMO_APP_KEY = 'demo-erp';
/** The demo ERP system (played by the ERP sandbox): budget reservations and the write-back. */
export const DEMO_ERP_SYSTEM = 'demo_erp';
/** The key the approval center signs its calls to the demo ERP with. */
export const DEMO_ERP_CALLER_KEY = 'approval-center';

export const demoUsers = [
  {
    id: 'u_zhangsan',
    dingtalkUserId: 'dt_zhangsan',
    dingtalkUnionId: 'union_zhangsan',
    name: '张三',
    title: '采购专员',
    deptIds: ['d_purchase'],
    managerId: 'u_lisi',
    email: 'zhangsan@example.com',
  },
  {
    id: 'u_lisi',
    dingtalkUserId: 'dt_lisi',
    dingtalkUnionId: 'union_lisi',
    name: '李四',
    title: '采购经理',
    deptIds: ['d_purchase'],
    managerId: 'u_wangwu',
    email: 'lisi@example.com',
  },
  {
    id: 'u_wangwu',
    dingtalkUserId: 'dt_wangwu',
    dingtalkUnionId: 'union_wangwu',
    name: '王五',
    title: '财务总监',
    deptIds: ['d_finance'],
    email: 'wangwu@example.com',
    roles: ['finance'],
  },
  {
    id: 'u_zhaoliu',
    dingtalkUserId: 'dt_zhaoliu',
    dingtalkUnionId: 'union_zhaoliu',
    name: '赵六',
    title: '总经理',
    deptIds: ['d_office'],
    email: 'zhaoliu@example.com',
    // The sandbox's flow designer: the dev login as 赵六 designs every flow.
    roles: ['approval_admin'],
  },
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
      next: 'reserve',
    },
    {
      id: 'reserve',
      type: 'service',
      name: '预占预算',
      call: { system: DEMO_ERP_SYSTEM, operation: 'reserve_budget' },
      compensate: { system: DEMO_ERP_SYSTEM, operation: 'release_budget' },
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

export interface DemoSeedOptions {
  /** The `demo-erp` app's secret (it starts instances and receives their webhooks). */
  appSecret: string;
  /** Where the demo ERP system (the sandbox) listens, and the secret we sign our calls to it with. */
  erpBaseUrl: string;
  erpSystemSecret: string;
}

/**
 * Embedded mode's demo: the `demo-erp` app (every permission, secret from DEMO_ERP_SECRET), the
 * ERP system `demo_erp` (the sandbox: reserve / release budget, write-back), a small org and one
 * published flow: the direct manager, a budget reservation (released if the request fails), the
 * CFO above ¥10,000, then a cc to finance. Users and the flow are only added when absent, so a
 * client's own changes survive restarts; the ERP system follows the sandbox's current address.
 */
export async function seedDemo(db: Db, box: SecretBox, options: DemoSeedOptions): Promise<void> {
  await upsertApp(db, box, { key: DEMO_APP_KEY, name: 'Demo ERP', secret: options.appSecret, permissions: ['start', 'act_for', 'sync', 'admin'] });
  await upsertErpSystem(db, box, {
    code: DEMO_ERP_SYSTEM,
    name: 'Demo ERP (sandbox)',
    baseUrl: options.erpBaseUrl,
    auth: { type: 'hmac', appKey: DEMO_ERP_CALLER_KEY, secret: options.erpSystemSecret },
    operations: {
      reserve_budget: {
        method: 'POST',
        path: '/budget/reserve',
        body: { businessKey: '{{businessKey}}', amount: '{{form.amount}}', instanceId: '{{instance.id}}' },
      },
      release_budget: { method: 'POST', path: '/budget/release', body: { businessKey: '{{businessKey}}', instanceId: '{{instance.id}}' } },
    },
    writeBack: {
      method: 'POST',
      path: '/documents/{{source.type}}/{{source.id}}/approval-result',
      body: { status: '{{status}}', instanceId: '{{instance.id}}' },
    },
  });
  await db
    .insert(users)
    .values(demoUsers.map((u) => ({ ...u, roles: u.roles ?? [] })))
    // A data directory from before DingTalk gets the demo users' DingTalk ids, and nothing else changes.
    .onConflictDoUpdate({
      target: users.id,
      set: {
        dingtalkUserId: sql`coalesce(${users.dingtalkUserId}, excluded.dingtalk_user_id)`,
        dingtalkUnionId: sql`coalesce(${users.dingtalkUnionId}, excluded.dingtalk_union_id)`,
      },
    });
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
