import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { ARTIFACTS_DIR, launchBrowser } from '../support/browser';
import { setUpErpWorld, type ErpWorld } from '../support/erp-fixtures';
import { expectOk, instancePath, pollUntil, uid } from '../support/fixtures';
import { storedDefinitions } from '../support/stored-definitions';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The flow designer (/designer/) in headless Chromium at a desktop's size: a flow admin builds
 * the demo purchase flow from an empty flow by clicks, meets a validation error on a
 * half-configured node and fixes it, previews the route of a ¥18,000 request, publishes, and an
 * instance started over the API reaches the manager; then the versions' diff. And every
 * definition the repo keeps loads and saves back unchanged. Screenshots under test-artifacts/designer/.
 */

const SHOTS = path.join(ARTIFACTS_DIR, 'designer');
const run = uid('dz').toLowerCase();
const people = {
  admin: { id: `${run}_admin`, name: '流程管理员', title: '流程管理员', roles: ['approval_admin'] },
  initiator: { id: `${run}_zhangsan`, name: '张三', title: '采购专员', managerId: `${run}_lisi` },
  manager: { id: `${run}_lisi`, name: '李四', title: '采购经理', managerId: `${run}_wangwu` },
  cfo: { id: `${run}_wangwu`, name: '王五', title: '财务总监', roles: [`finance_${run}`] },
};
const financeRole = `finance_${run}`;

let stack: TestStack;
let erp: ErpWorld;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack({ devLogin: true });
  erp = await setUpErpWorld(stack, ['start', 'act_for', 'admin']);
  await expectOk(
    stack.api.request('POST', '/api/v1/sync/departments', {
      mode: 'incremental',
      departments: [
        { id: `${run}_purchase`, name: '采购部', leaderIds: [people.manager.id] },
        { id: `${run}_finance`, name: '财务部', leaderIds: [people.cfo.id] },
      ],
    }),
  );
  await expectOk(
    stack.api.request('POST', '/api/v1/sync/users', {
      mode: 'incremental',
      users: Object.values(people).map((p) => ({ ...p, deptIds: [p === people.cfo ? `${run}_finance` : `${run}_purchase`] })),
    }),
  );
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await erp?.close();
  await stack?.stop();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function desktop(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1400 }, locale: 'zh-CN' });
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  return context.newPage();
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** A dev-login session for `userId`, stored where the apps keep it (the page must be on the app's origin). */
async function holdDevSession(page: Page, userId: string): Promise<void> {
  const session = await fetch(`${stack.baseUrl}/api/v1/auth/dev-login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  }).then((r) => r.text());
  await page.evaluate(`localStorage.setItem('approval.h5.session', ${JSON.stringify(session)})`);
}

/** The admin logged in through the sandbox's login page (the list shows the first 200 people; past them, the same dev login over fetch). */
async function loggedInAdmin(page: Page, screenshot?: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/designer/`);
  await page.locator('.login').waitFor();
  const button = page.locator(`.people button[data-user="${people.admin.id}"]`);
  if (screenshot) await shot(page, screenshot);
  if ((await button.count()) > 0) await button.click();
  else {
    await holdDevSession(page, people.admin.id);
    await page.reload();
  }
  await page.getByTestId('me').getByText(people.admin.name).waitFor();
}

const node = (page: Page, id: string) => page.locator(`.canvas [data-node-id="${id}"]`);
const panel = (page: Page) => page.locator('.panel');

/** Picks a person in a people picker (its label, e.g. 审批人): searched by name, chosen by id. */
async function pick(scope: Locator, picker: string, person: { id: string; name: string }): Promise<void> {
  await scope.getByLabel(`${picker}：搜索人员`).fill(person.name);
  await scope.locator(`.picker-results button[data-user="${person.id}"]`).click();
}

async function addOn(page: Page, edgeSelector: string, kind: string): Promise<void> {
  await page.locator(`.canvas .add-button${edgeSelector}`).click();
  await page.locator(`.add-menu [data-kind="${kind}"]`).click();
}

/** The validation the designer asks for after each change has answered with no problems. */
async function checkedClean(page: Page): Promise<void> {
  await page.getByTestId('status').getByText('检查通过').waitFor();
}

describe('the flow designer', () => {
  it('builds the demo purchase flow by clicks, checks and previews it, publishes it, and an instance reaches the manager', async () => {
    const page = await desktop();
    await loggedInAdmin(page, '01-dev-login');
    await page.locator('.flow-list').waitFor();
    await shot(page, '02-flow-list');

    const code = `purchase_${run}`;
    await page.getByRole('button', { name: '+ 新建流程' }).click();
    await page.getByLabel('新流程名称').fill('采购申请');
    await page.getByLabel('新流程编码').fill(code);
    await page.getByRole('button', { name: '创建并设计' }).click();
    await node(page, 'start').waitFor();
    await shot(page, '03-empty-flow');

    // 表单设计: 事由 and 金额.
    await page.getByRole('button', { name: '表单设计' }).click();
    await page.getByRole('button', { name: '+ 添加字段' }).click();
    await page.getByRole('button', { name: '+ 添加字段' }).click();
    const row = (i: number) => page.locator(`[data-form-field="${i}"]`);
    await row(0).getByLabel('字段标识').fill('title');
    await row(0).getByLabel('字段名称').fill('事由');
    await row(0).getByLabel('必填').check();
    await row(1).getByLabel('字段标识').fill('amount');
    await row(1).getByLabel('字段名称').fill('金额');
    await row(1).getByLabel('字段类型').selectOption('number');
    await row(1).getByLabel('必填').check();
    await shot(page, '04-form-fields');

    // The direct manager, sequential, auto-approved when there is none, with reminders and an escalation after 3 days.
    await page.getByRole('button', { name: '流程设计' }).click();
    await addOn(page, '[data-add="start:next"]', 'approval');
    await panel(page).getByLabel('节点名称').fill('直属主管');
    await panel(page).getByRole('radio', { name: '主管', exact: true }).click();
    await panel(page).getByLabel('依次审批（按顺序）').check();
    await panel(page).getByLabel('审批人为空时').selectOption('auto_approve');
    await panel(page).getByLabel('启用超时提醒与处理').check();
    await panel(page).getByLabel('提醒时间', { exact: true }).fill('24');
    await panel(page).getByLabel('提醒时间单位').selectOption('H');
    await panel(page).getByLabel('重复提醒间隔', { exact: true }).fill('24');
    await panel(page).getByLabel('自动处理时间', { exact: true }).fill('3');
    await panel(page).getByLabel('自动处理时间单位').selectOption('D');
    await panel(page).getByLabel('超时动作').selectOption('escalate');
    await node(page, 'approval_1').getByText('直属主管 · 依次审批').waitFor();
    await shot(page, '05-manager-node');

    // The budget reservation, released if the request fails.
    await addOn(page, '[data-add="approval_1:next"]', 'service');
    await panel(page).getByLabel('节点名称').fill('预占预算');
    await panel(page).getByLabel('调用接口：系统').selectOption(erp.system);
    await panel(page).getByLabel('调用接口：接口').selectOption('reserve_budget');
    await panel(page).getByLabel('审批被驳回、撤回或失败时调用补偿接口').check();
    await panel(page).getByLabel('补偿接口：接口').selectOption('release_budget');

    // The amount branch: above ¥10,000 the CFO approves.
    await addOn(page, '[data-add="service_1:next"]', 'condition');
    await panel(page).getByLabel('分支名称').fill('金额 > 10000');
    await panel(page).getByRole('button', { name: '+ 添加条件', exact: true }).click();
    await panel(page).getByLabel('表单字段').selectOption('amount');
    await panel(page).getByLabel('比较方式').selectOption('>');
    await panel(page).getByLabel('取值').fill('10000');
    await page.locator('.canvas [data-branch="condition_1:0"]').getByText('金额 大于 10000').waitFor();
    await node(page, 'condition_1').click();
    await panel(page).getByLabel('节点名称').fill('按金额');

    // A half-configured node: an approval with no approver yet is flagged on the canvas and in its panel.
    await addOn(page, '[data-add="condition_1:branches.0.next"]', 'approval');
    await panel(page).getByLabel('节点名称').fill('财务总监');
    await page.locator('.canvas [data-node-id="approval_2"].has-problems').waitFor();
    await panel(page).locator('[data-problem-field="approvers.ids"]').getByText('请至少选择一位成员').waitFor();
    await page.getByTestId('problems-count').getByText('1 个问题').waitFor();
    await shot(page, '06-validation-error');
    await pick(panel(page), '审批人', people.cfo);
    await panel(page).locator(`[data-chip="${people.cfo.id}"]`).waitFor();
    await checkedClean(page);
    await page.locator('.canvas [data-node-id="approval_2"].has-problems').waitFor({ state: 'detached' });

    // Where both lanes meet: the cc to finance.
    await addOn(page, '[data-add="approval_2:next,condition_1:default"]', 'cc');
    await panel(page).getByLabel('节点名称').fill('抄送财务');
    await panel(page).getByRole('radio', { name: '角色', exact: true }).click();
    await panel(page).getByLabel('角色', { exact: true }).selectOption(financeRole);
    await checkedClean(page);
    await panel(page).getByLabel('关闭面板').click();
    await shot(page, '07-flow-built');

    // The route of a ¥18,000 request by 张三, before anything is published.
    await page.getByRole('button', { name: '预览路径' }).first().click();
    const drawer = page.getByTestId('preview');
    await pick(drawer, '发起人', people.initiator);
    await drawer.getByLabel('样例：事由').fill('采购笔记本电脑');
    await drawer.getByLabel('样例：金额').fill('18000');
    await drawer.locator('button.primary').click();
    await drawer.locator(`[data-route-node="approval_1"] [data-approver="${people.manager.id}"]`).waitFor();
    await drawer.locator(`[data-route-node="approval_2"] [data-approver="${people.cfo.id}"]`).waitFor();
    await drawer.locator(`[data-route-node="cc_1"] [data-recipient="${people.cfo.id}"]`).waitFor();
    await drawer.getByText('李四').first().waitFor();
    await shot(page, '08-route-preview');
    await drawer.getByLabel('关闭预览').click();

    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.getByTestId('notice').getByText('已发布 v1').waitFor();
    await shot(page, '09-published');

    // What was published is the SPEC §4 document of the demo flow, node for node.
    const published = await expectOk<{ definition: FlowDefinition }>(stack.api.request('GET', `/api/v1/definitions/${code}/versions/1`));
    expect(published.definition).toEqual({
      code,
      name: '采购申请',
      form: {
        fields: [
          { key: 'title', label: '事由', type: 'string', required: true },
          { key: 'amount', label: '金额', type: 'number', required: true },
        ],
      },
      nodes: [
        { id: 'start', type: 'start', next: 'approval_1' },
        {
          id: 'approval_1',
          type: 'approval',
          name: '直属主管',
          approvers: { type: 'manager', levels: 1 },
          mode: 'sequential',
          onEmpty: 'auto_approve',
          timeout: { remindAfter: 'PT24H', remindEvery: 'PT24H', actAfter: 'P3D', action: 'escalate' },
          next: 'service_1',
        },
        {
          id: 'service_1',
          type: 'service',
          name: '预占预算',
          call: { system: erp.system, operation: 'reserve_budget' },
          compensate: { system: erp.system, operation: 'release_budget' },
          next: 'condition_1',
        },
        {
          id: 'condition_1',
          type: 'condition',
          name: '按金额',
          branches: [{ name: '金额 > 10000', when: { all: [{ field: 'amount', op: '>', value: 10000 }] }, next: 'approval_2' }],
          default: 'cc_1',
        },
        { id: 'approval_2', type: 'approval', name: '财务总监', approvers: { type: 'users', ids: [people.cfo.id] }, mode: 'any', next: 'cc_1' },
        { id: 'cc_1', type: 'cc', name: '抄送财务', recipients: { type: 'role', role: financeRole }, next: 'end' },
        { id: 'end', type: 'end' },
      ],
    });

    // An ERP starts an instance of it over the signed API: it reaches 张三's manager.
    const started = await expectOk<{ instanceId: string }>(
      erp.erp.request('POST', '/api/v1/instances', {
        flowCode: code,
        businessKey: uid('PO'),
        initiatorId: people.initiator.id,
        form: { title: '采购笔记本电脑', amount: 18000 },
        source: { system: 'erp', type: 'purchase_order', id: uid('po') },
      }),
      201,
    );
    const view = await pollUntil(
      'the manager’s task',
      () => expectOk<InstanceView>(stack.api.request('GET', instancePath(started.instanceId))),
      (v) => v.tasks.some((t) => t.status === 'pending'),
    );
    expect(view.flowVersion).toBe(1);
    expect(view.tasks.filter((t) => t.status === 'pending').map((t) => [t.nodeId, t.assigneeId])).toEqual([['approval_1', people.manager.id]]);

    // A second version, and what changed between the two.
    await node(page, 'approval_2').click();
    await panel(page).getByLabel('节点名称').fill('财务总监审批');
    await checkedClean(page);
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.getByTestId('notice').getByText('已发布 v2').waitFor();
    await page.getByRole('button', { name: '版本', exact: true }).click();
    await page.getByLabel('对比：旧版本').selectOption('1');
    await page.getByLabel('对比：新版本').selectOption('2');
    await page.getByTestId('diff').getByText('修改审批人节点「财务总监审批」（approval_2）').waitFor();
    await page.getByTestId('diff').getByText('"财务总监审批"').waitFor();
    await shot(page, '10-version-diff');
    // The instance started on v1 keeps v1.
    expect((await expectOk<InstanceView>(stack.api.request('GET', instancePath(started.instanceId)))).flowVersion).toBe(1);
  }, 120_000);

  it('builds a fork of two votes, an initiator-chosen approver under a renamed id, and a branch that ends early; asks before unsaved changes are left', async () => {
    const page = await desktop();
    await loggedInAdmin(page);
    const code = `fork_${run}`;
    await expectOk(
      stack.api.request('POST', '/api/v1/definitions', {
        code,
        name: '合同会审',
        form: { fields: [{ key: 'kind', type: 'string', label: '合同类型', options: ['采购', '销售'] }] },
        nodes: [
          { id: 'start', type: 'start', next: 'end' },
          { id: 'end', type: 'end' },
        ],
      }),
      201,
    );
    await page.goto(`${stack.baseUrl}/designer/flows/${code}`);

    // A fork: two approvals side by side, each a vote, meeting at the join.
    await addOn(page, '[data-add="start:next"]', 'parallel');
    await node(page, 'join_1').waitFor();
    for (const [id, who] of [
      ['approval_1', people.manager],
      ['approval_2', people.cfo],
    ] as const) {
      await node(page, id).click();
      await pick(panel(page), '审批人', who);
      await pick(panel(page), '审批人', people.admin);
      await panel(page).getByLabel('票签（按比例或票数）').check();
      await panel(page).getByLabel('票签规则').selectOption('count');
      await panel(page).getByLabel('通过票数').fill('2');
    }

    // After the join: a condition on the contract type; 销售 ends the flow at once, the rest go to an approver the initiator picks.
    await addOn(page, '[data-add="join_1:next"]', 'condition');
    await panel(page).getByRole('button', { name: '+ 添加条件', exact: true }).click();
    await panel(page).getByLabel('比较方式').selectOption('in');
    await panel(page).getByLabel('销售').check();
    await addOn(page, '[data-add="condition_1:branches.0.next"]', 'cc');
    await panel(page).getByRole('radio', { name: '发起人本人', exact: true }).click();
    await addOn(page, '[data-add="cc_1:next"]', 'end');
    await addOn(page, '[data-add="condition_1:default"]', 'approval');
    await panel(page).getByRole('radio', { name: '发起人自选', exact: true }).click();
    await panel(page).getByLabel('可选多人').check();
    await panel(page).getByLabel('节点 ID').fill('chosen_reviewer');
    await panel(page).getByLabel('节点 ID').press('Enter');
    await node(page, 'chosen_reviewer').waitFor();
    await checkedClean(page);
    await panel(page).getByLabel('关闭面板').click();
    await shot(page, '12-fork-vote-early-end');

    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByTestId('notice').getByText('草稿已保存').waitFor();
    const saved = await expectOk<{ draft: FlowDefinition }>(stack.api.request('GET', `/api/v1/definitions/${code}`));
    const byId = new Map(saved.draft.nodes.map((n) => [n.id, n]));
    expect(byId.get('parallel_1')).toMatchObject({ type: 'parallel', branches: ['approval_1', 'approval_2'] });
    expect(byId.get('approval_1')).toMatchObject({
      approvers: { type: 'users', ids: [people.manager.id, people.admin.id] },
      mode: 'vote',
      passCount: 2,
      next: 'join_1',
    });
    expect(byId.get('approval_2')).toMatchObject({
      approvers: { type: 'users', ids: [people.cfo.id, people.admin.id] },
      mode: 'vote',
      passCount: 2,
      next: 'join_1',
    });
    expect(byId.get('join_1')).toMatchObject({ type: 'join', next: 'condition_1' });
    expect(byId.get('condition_1')).toMatchObject({
      branches: [{ when: { all: [{ field: 'kind', op: 'in', value: ['销售'] }] }, next: 'cc_1' }],
      default: 'chosen_reviewer',
    });
    expect(byId.get('cc_1')).toMatchObject({ recipients: { type: 'initiator' }, next: 'end' });
    expect(byId.get('chosen_reviewer')).toMatchObject({ approvers: { type: 'initiator_select', multiple: true }, next: 'end' });

    // The preview asks for the approver the initiator would choose, under the node's id.
    await page.getByRole('button', { name: '预览路径' }).first().click();
    const drawer = page.getByTestId('preview');
    await pick(drawer, '发起人', people.initiator);
    await drawer.getByLabel('样例：合同类型').selectOption('采购');
    await pick(drawer, '自选：审批人', people.cfo);
    await drawer.locator('button.primary').click();
    await drawer.locator(`[data-route-node="chosen_reviewer"] [data-approver="${people.cfo.id}"]`).waitFor();
    await shot(page, '13-fork-preview');
    await drawer.getByLabel('关闭预览').click();

    // Leaving with unsaved changes asks first: 取消 stays, 确定 leaves.
    await node(page, 'cc_1').click();
    await panel(page).getByLabel('节点名称').fill('抄送发起人');
    const answers: string[] = [];
    page.on('dialog', (dialog) => void (answers.length === 0 ? dialog.dismiss() : dialog.accept()).then(() => answers.push(dialog.message())));
    await page.getByRole('link', { name: '‹ 流程列表' }).click();
    await pollUntil(
      'the question before leaving',
      () => Promise.resolve(answers.length),
      (n) => n === 1,
    );
    expect(await node(page, 'cc_1').count()).toBe(1);
    await page.getByRole('link', { name: '‹ 流程列表' }).click();
    await page.locator('.flow-list').waitFor();
    expect(answers).toEqual(['有未保存的修改，确定离开吗？', '有未保存的修改，确定离开吗？']);
  }, 120_000);

  it('two admins on one flow: the second save does not overwrite the first, and the second admin loads the first one’s draft', async () => {
    const code = `both_${run}`;
    await expectOk(
      stack.api.request('POST', '/api/v1/definitions', {
        code,
        name: '两人同时编辑',
        nodes: [
          { id: 'start', type: 'start', next: 'ask' },
          { id: 'ask', type: 'approval', name: '审批', approvers: { type: 'initiator' }, mode: 'any', next: 'end' },
          { id: 'end', type: 'end' },
        ],
      }),
      201,
    );
    const [first, second] = [await desktop(), await desktop()];
    for (const page of [first, second]) {
      await loggedInAdmin(page);
      await page.goto(`${stack.baseUrl}/designer/flows/${code}`);
      await node(page, 'ask').click();
    }
    await panel(first).getByLabel('节点名称').fill('甲改的名字');
    await first.getByRole('button', { name: '保存草稿' }).click();
    await first.getByTestId('notice').getByText('草稿已保存').waitFor();

    await panel(second).getByLabel('节点名称').fill('乙改的名字');
    await second.getByRole('button', { name: '保存草稿' }).click();
    await second.getByTestId('conflict').waitFor();
    await shot(second, '14-two-admins-conflict');
    const kept = await expectOk<{ draft: FlowDefinition }>(stack.api.request('GET', `/api/v1/definitions/${code}`));
    expect(kept.draft.nodes.find((n) => n.id === 'ask')?.name).toBe('甲改的名字');
    // Publishing the stale draft is refused as well, and publishes nothing.
    await second.getByRole('button', { name: '发布', exact: true }).click();
    await second.getByTestId('notice').getByText('无法保存：其他管理员在你打开后保存了此流程').waitFor();
    expect((await expectOk<{ versions: unknown[] }>(stack.api.request('GET', `/api/v1/definitions/${code}`))).versions).toEqual([]);

    await second.getByRole('button', { name: '载入最新草稿（放弃我的修改）' }).click();
    await second.getByTestId('conflict').waitFor({ state: 'detached' });
    await node(second, 'ask').getByText('甲改的名字').waitFor();
    await node(second, 'ask').click();
    await panel(second).getByLabel('节点名称').fill('乙在甲之后改的');
    await second.getByRole('button', { name: '发布', exact: true }).click();
    await second.getByTestId('notice').getByText('已发布 v1').waitFor();
  });

  it('refuses a flow code that is not one, and a user who is not a flow admin', async () => {
    const page = await desktop();
    await loggedInAdmin(page);
    await page.getByRole('button', { name: '+ 新建流程' }).click();
    await page.getByLabel('新流程名称').fill('坏编码');
    // The browser's own pattern check stops a code with capitals before anything is sent.
    await page.getByLabel('新流程编码').fill('Bad-Code');
    await page.getByRole('button', { name: '创建并设计' }).click();
    expect(await page.getByLabel('新流程编码').evaluate((el) => (el as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(
      true,
    );
    expect(await stack.api.request('GET', '/api/v1/definitions/Bad-Code').then((r) => r.status)).toBe(404);

    // A user without approval_admin and in no flow's admins sees the refusal, not the flows.
    const outsider = await desktop();
    await outsider.goto(`${stack.baseUrl}/designer/`);
    await outsider.locator('.login').waitFor();
    await holdDevSession(outsider, people.initiator.id);
    await outsider.goto(`${stack.baseUrl}/designer/flows/purchase_${run}`);
    await outsider.getByText('你不是此流程的管理员').waitFor();
    await outsider.goto(`${stack.baseUrl}/designer/`);
    await outsider.getByText('你不是流程管理员，无法设计流程').waitFor();
    await shot(outsider, '15-not-a-flow-admin');
  });

  it('loads and saves back unchanged every definition the repo keeps', async () => {
    const page = await desktop();
    await loggedInAdmin(page);
    const stored = storedDefinitions();
    expect(stored.length).toBeGreaterThan(20);
    for (const [i, { source, definition }] of stored.entries()) {
      const code = `rt_${run}_${i}`;
      await expectOk(stack.api.request('POST', '/api/v1/definitions', { ...definition, code }), 201);
      const before = await expectOk<{ draft: FlowDefinition }>(stack.api.request('GET', `/api/v1/definitions/${code}`));
      await page.goto(`${stack.baseUrl}/designer/flows/${code}`);
      await page.getByTestId('canvas').waitFor();
      // Every node is drawn as a box of its own.
      for (const n of definition.nodes) expect([source, n.id, await page.locator(`.canvas [data-node-id="${n.id}"]`).count()]).toEqual([source, n.id, 1]);
      if (i === 0) await shot(page, '11-round-trip-demo-flow');
      await page.getByRole('button', { name: '保存草稿' }).click();
      await page.getByTestId('notice').getByText('草稿已保存').waitFor();
      const after = await expectOk<{ draft: FlowDefinition; updatedAt: string }>(stack.api.request('GET', `/api/v1/definitions/${code}`));
      expect([source, after.draft]).toEqual([source, before.draft]);
    }
  }, 240_000);
});
