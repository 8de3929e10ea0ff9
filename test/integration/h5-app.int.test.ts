import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { outTrackIdOf } from '../../integrations/dingtalk/approval-card';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';
import { ARTIFACTS_DIR, launchBrowser } from '../support/browser';
import { fakeDingTalkConfig } from '../support/fake-dingtalk-config';
import { expectOk, instancePath, pollUntil, publishFlow, uid } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The H5 app (/h5/) end to end in headless Chromium at a phone's size (375×812): dev login, the
 * lists, a task's page, and every action a person takes there — checked against the API after
 * each step, with a screenshot of each page under test-artifacts/h5/.
 */

const SHOTS = path.join(ARTIFACTS_DIR, 'h5');
const APP = { appKey: 'h5-test-app', appSecret: randomBytes(8).toString('hex'), agentId: 4343, corpId: 'ding-h5-corp' };
const TEMPLATE = 'approval_card.schema';

const people = [
  { id: 'u_init', name: '王发起', dingtalk: 'dt_init' },
  { id: 'u_one', name: '李经理', dingtalk: 'dt_one', title: '部门经理' },
  { id: 'u_two', name: '张总监', dingtalk: 'dt_two', title: '总监' },
  { id: 'u_three', name: '赵财务', dingtalk: 'dt_three', title: '财务' },
  { id: 'u_four', name: '钱审计', dingtalk: 'dt_four', title: '审计' },
  { id: 'u_out', name: '孙路人', dingtalk: 'dt_out' },
];
const nameOf = (id: string) => people.find((p) => p.id === id)!.name;

function purchaseFlow(code: string): FlowDefinition {
  return {
    code,
    name: '采购申请',
    form: {
      fields: [
        { key: 'amount', label: '金额', type: 'number', required: true },
        { key: 'title', label: '事由', type: 'string' },
      ],
    },
    nodes: [
      { id: 'start', type: 'start', next: 'manager' },
      { id: 'manager', type: 'approval', name: '经理审批', approvers: { type: 'users', ids: ['u_one'] }, mode: 'any', next: 'notify' },
      { id: 'notify', type: 'cc', name: '抄送审计', recipients: { type: 'users', ids: ['u_four'] }, next: 'director' },
      { id: 'director', type: 'approval', name: '总监审批', approvers: { type: 'users', ids: ['u_two'] }, mode: 'any', next: 'end' },
      { id: 'end', type: 'end' },
    ],
  };
}

let stack: TestStack;
let fake: RunningFakeDingTalk;
let browser: Browser;
let flowCode: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeDingTalk({
    apps: [APP],
    cardTemplateIds: [TEMPLATE],
    org: {
      departments: [{ dept_id: 2, name: '采购部', parent_id: 1 }],
      users: people.map((p) => ({ userid: p.dingtalk, unionid: `un_${p.id}`, name: p.name, dept_id_list: [2] })),
    },
  });
  stack = await startTestStack({ dingtalk: fakeDingTalkConfig(fake, APP, TEMPLATE), devLogin: true });
  await expectOk(
    stack.api.request('POST', '/api/v1/sync/users', {
      mode: 'incremental',
      users: people.map((p) => ({
        id: p.id,
        name: p.name,
        deptIds: ['d1'],
        dingtalkUserId: p.dingtalk,
        dingtalkUnionId: `un_${p.id}`,
        ...(p.title ? { title: p.title } : {}),
      })),
    }),
  );
  flowCode = uid('h5');
  await publishFlow(stack.api, purchaseFlow(flowCode));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await fake?.close();
});

const view = (instanceId: string) => expectOk<InstanceView>(stack.api.request('GET', instancePath(instanceId)));
const taskOf = (v: InstanceView, assigneeId: string, status = 'pending') => v.tasks.find((t) => t.assigneeId === assigneeId && t.status === status);

async function startPurchase(form: { amount: number; title: string }): Promise<string> {
  const started = await expectOk<{ instanceId: string }>(
    stack.api.request('POST', '/api/v1/instances', {
      flowCode,
      businessKey: uid('PO'),
      initiatorId: 'u_init',
      form,
      source: { system: 'erp', type: 'purchase_order', id: uid('po') },
    }),
    201,
  );
  await pollUntil(
    'the manager’s task',
    () => view(started.instanceId),
    (v) => taskOf(v, 'u_one') !== undefined,
  );
  return started.instanceId;
}

const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  // A step that cannot happen fails in seconds, naming what it waited for.
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  return context.newPage();
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** A phone logged in through the sandbox's login page, showing 待办. */
async function loggedIn(userId: string, screenshot?: string): Promise<Page> {
  const page = await phone();
  await page.goto(`${stack.baseUrl}/h5/`);
  await page.locator(`.people button[data-user="${userId}"]`).waitFor();
  if (screenshot) await shot(page, screenshot);
  await page.locator(`.people button[data-user="${userId}"]`).click();
  await page.getByTestId('me').getByText(nameOf(userId)).waitFor();
  return page;
}

/** From 待办, the instance's task. */
async function openTask(page: Page, instanceId: string): Promise<void> {
  await page.locator('a.item', { hasText: businessKeyOf(instanceId) }).click();
  await page.locator('.detail-head').waitFor();
}

const businessKeyOf = (instanceId: string) => instanceId.split(':').slice(2).join(':');

/** Opens an action (from the bar, or from 更多), fills what `fill` fills, confirms, and waits for the toast. */
async function act(page: Page, action: string, fill: (sheet: ReturnType<Page['locator']>) => Promise<void> = async () => undefined, screenshot?: string) {
  const direct = page.locator(`.action-bar > button[data-action="${action}"]`);
  if (await direct.count()) await direct.click();
  else {
    await page.getByRole('button', { name: '更多' }).click();
    await page.locator(`.more-menu button[data-action="${action}"]`).click();
  }
  const sheet = page.locator(`form.action-form[data-action="${action}"]`);
  await sheet.waitFor();
  await fill(sheet);
  if (screenshot) await shot(page, screenshot);
  await sheet.locator('button[type="submit"]').click();
  await page.locator('.toast').waitFor();
  await sheet.waitFor({ state: 'detached' });
}

jest.setTimeout(60_000);

describe('the H5 app in Chromium (375×812)', () => {
  it('dev login → 待办 → the task’s page → approve with a comment: the lists and the instance show it', async () => {
    const instanceId = await startPurchase({ amount: 12_345, title: '办公椅 20 把' });
    const page = await loggedIn('u_one', 'login');
    await page.locator('a.item', { hasText: businessKeyOf(instanceId) }).waitFor();
    await shot(page, 'todo-list');

    await openTask(page, instanceId);
    await page.locator('.step[data-node="director"][data-state="upcoming"]', { hasText: '张总监' }).waitFor();
    expect(await page.locator('dd[data-field="amount"]').textContent()).toBe('¥12,345');
    expect(await page.locator('dd[data-field="title"]').textContent()).toBe('办公椅 20 把');
    expect(await page.locator('.fields dt').allTextContents()).toEqual(['金额', '事由']);
    await shot(page, 'task-detail');

    await act(page, 'approve', (sheet) => sheet.locator('textarea').fill('同意采购，注意比价'), 'approve-sheet');
    await page.locator('.step[data-node="manager"][data-state="done"]', { hasText: '已同意' }).waitFor();
    await page.locator('.timeline', { hasText: '同意采购，注意比价' }).waitFor();
    expect(await page.locator('.action-bar button[data-action="approve"]').count()).toBe(0);
    await shot(page, 'task-approved');

    const after = await view(instanceId);
    expect(taskOf(after, 'u_one', 'approved')).toMatchObject({ comment: '同意采购，注意比价' });
    expect(taskOf(after, 'u_two')).toBeDefined();

    await page.goto(`${stack.baseUrl}/h5/`);
    await page.locator('.list .empty, .list a.item').first().waitFor();
    expect(await page.locator('a.item', { hasText: businessKeyOf(instanceId) }).count()).toBe(0);
    await page.getByRole('link', { name: '已办' }).click();
    await page
      .locator('a.item', { hasText: businessKeyOf(instanceId) })
      .getByText('已同意')
      .waitFor();
    await shot(page, 'done-list');
  });

  it('an approver takes back their approval (撤回审批); the initiator urges the approver (催办)', async () => {
    const instanceId = await startPurchase({ amount: 2_000, title: '打印机' });
    await expectOk(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actionId: uid('a'), actorId: 'u_one' }));
    await pollUntil(
      'the director’s task',
      () => view(instanceId),
      (v) => taskOf(v, 'u_two') !== undefined,
    );

    const manager = await loggedIn('u_one');
    await manager.getByRole('link', { name: '已办' }).click();
    await manager.locator('a.item', { hasText: businessKeyOf(instanceId) }).click();
    await act(manager, 'revoke', (sheet) => sheet.locator('textarea').fill('金额需要再核对'));
    await manager.locator('.action-bar button[data-action="approve"]').waitFor();
    const revoked = await view(instanceId);
    expect(taskOf(revoked, 'u_one')).toBeDefined();
    expect(taskOf(revoked, 'u_two')).toBeUndefined();

    const initiator = await loggedIn('u_init');
    await initiator.goto(`${stack.baseUrl}/h5/instances/${encodeURIComponent(instanceId)}`);
    await act(initiator, 'urge');
    await initiator.locator('.timeline li[data-event="urged"]').waitFor();
    await shot(initiator, 'urged');
    expect(taskOf(await view(instanceId), 'u_one')?.lastUrgedAt).toBeDefined();
  });

  it('transfer through the picker, a signer added before who approves first, then the approval completes', async () => {
    const instanceId = await startPurchase({ amount: 800, title: '显示器' });
    await expectOk(stack.api.request('POST', `${instancePath(instanceId)}/actions`, { type: 'approve', actionId: uid('a'), actorId: 'u_one' }));
    await pollUntil(
      'the director’s task',
      () => view(instanceId),
      (v) => taskOf(v, 'u_two') !== undefined,
    );

    const director = await loggedIn('u_two');
    await openTask(director, instanceId);
    await act(
      director,
      'transfer',
      async (sheet) => {
        await sheet.getByRole('searchbox').fill('赵');
        await sheet.locator('.picker-results button[data-user="u_three"]').click();
        await sheet.locator('.chips', { hasText: '赵财务' }).waitFor();
        await sheet.locator('textarea').fill('财务更熟悉预算');
      },
      'transfer-picker',
    );
    const transferred = await view(instanceId);
    expect(taskOf(transferred, 'u_two', 'transferred')).toBeDefined();
    expect(taskOf(transferred, 'u_three')).toBeDefined();
    expect(await director.locator('.action-bar button[data-action="approve"]').count()).toBe(0);

    const finance = await loggedIn('u_three');
    await openTask(finance, instanceId);
    await act(finance, 'add_signer', async (sheet) => {
      await sheet.getByRole('searchbox').fill('钱');
      await sheet.locator('.picker-results button[data-user="u_four"]').click();
      await sheet.getByLabel('在我之前审批').check();
    });
    const added = await view(instanceId);
    expect(taskOf(added, 'u_three', 'waiting')).toBeDefined();
    expect(taskOf(added, 'u_four')).toMatchObject({ signer: { position: 'before', addedBy: 'u_three' } });

    const auditor = await loggedIn('u_four');
    await openTask(auditor, instanceId);
    await shot(auditor, 'signer-task');
    await act(auditor, 'approve');
    await pollUntil(
      'the finance task pending again',
      () => view(instanceId),
      (v) => taskOf(v, 'u_three') !== undefined,
    );
    await auditor
      .getByRole('link', { name: '抄送我的' })
      .waitFor({ state: 'detached' })
      .catch(() => undefined);

    await finance.reload();
    await finance.locator('.action-bar button[data-action="approve"]').waitFor();
    await act(finance, 'approve');
    await finance.getByTestId('instance-status').getByText('审批通过').waitFor();
    await shot(finance, 'instance-approved');
    expect((await view(instanceId)).status).toBe('approved');

    // The auditor was cc'd on the way: 抄送我的 lists it, unread until opened.
    await auditor.goto(`${stack.baseUrl}/h5/cc`);
    const cc = auditor.locator('a.item', { hasText: businessKeyOf(instanceId) });
    await cc.locator('.dot').waitFor();
    await shot(auditor, 'cc-list');
    await cc.click();
    await auditor.locator('.detail-head').waitFor();
    await pollUntil(
      'the cc notice read',
      async () => {
        await auditor.goto(`${stack.baseUrl}/h5/cc`);
        await cc.waitFor();
        return cc.locator('.dot').count();
      },
      (dots) => dots === 0,
    );
  });

  it('return to the initiator, who resubmits with a changed form; then withdraws', async () => {
    const instanceId = await startPurchase({ amount: 50_000, title: '服务器' });
    const manager = await loggedIn('u_one');
    await openTask(manager, instanceId);
    await act(
      manager,
      'return',
      async (sheet) => {
        await sheet.getByLabel('发起人（重新提交）').check();
        await sheet.locator('textarea').fill('金额太高，请拆单');
      },
      'return-sheet',
    );
    expect((await view(instanceId)).returnedToInitiator).toBe(true);

    const initiator = await loggedIn('u_init');
    await initiator.getByRole('link', { name: '我发起的' }).click();
    await initiator.locator('a.item', { hasText: businessKeyOf(instanceId) }).click();
    await initiator.getByTestId('instance-status').getByText('已退回发起人').waitFor();
    await shot(initiator, 'returned-to-initiator');
    await act(
      initiator,
      'resubmit',
      async (sheet) => {
        await sheet.locator('input[name="amount"]').fill('9999');
        await sheet.locator('input[name="title"]').fill('服务器（拆单后）');
      },
      'resubmit-form',
    );
    await initiator.locator('dd[data-field="amount"]', { hasText: '¥9,999' }).waitFor();
    const resubmitted = await view(instanceId);
    expect(resubmitted.form).toEqual({ amount: 9999, title: '服务器（拆单后）' });
    expect(taskOf(resubmitted, 'u_one')).toBeDefined();

    await shot(initiator, 'mine-detail');
    await act(initiator, 'withdraw', (sheet) => sheet.locator('textarea').fill('不买了'));
    await initiator.getByTestId('instance-status').getByText('已撤回').waitFor();
    await shot(initiator, 'withdrawn');
    expect((await view(instanceId)).status).toBe('withdrawn');
    await initiator.goto(`${stack.baseUrl}/h5/mine`);
    await initiator
      .locator('a.item', { hasText: businessKeyOf(instanceId) })
      .getByText('已撤回')
      .waitFor();
    await shot(initiator, 'mine-list');
  });

  it('someone who takes no part opening the instance gets “not found”', async () => {
    const instanceId = await startPurchase({ amount: 66, title: '文具' });
    const outsider = await loggedIn('u_out');
    await outsider.goto(`${stack.baseUrl}/h5/instances/${encodeURIComponent(instanceId)}`);
    await outsider.getByTestId('not-found').waitFor();
    expect(await outsider.locator('dd[data-field="amount"]').count()).toBe(0);
    await shot(outsider, 'not-found');
  });

  it('the card’s 查看详情 opens the task’s page in DingTalk and logs in on the way', async () => {
    const instanceId = await startPurchase({ amount: 4321, title: '会议室投影' });
    const page = await phone();
    const outTrackId = outTrackIdOf(instanceId, taskOf(await view(instanceId), 'u_one')!.taskId);
    await pollUntil(
      '李经理’s card',
      async () => fake.state.cardsOf('dt_one').some((card) => card.outTrackId === outTrackId),
      (delivered) => delivered,
    );
    await page.goto(`${fake.url}/`);
    const link = page.locator('#u-dt_one .card', { hasText: '会议室投影' }).getByRole('link', { name: '查看详情' });
    await link.click();
    await page.getByTestId('me').getByText('李经理').waitFor();
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/h5/tasks/${encodeURIComponent(instanceId)}/`));
    expect(new URL(page.url()).hash).toBe('');
    await page.locator('dd[data-field="title"]', { hasText: '会议室投影' }).waitFor();
    await shot(page, 'card-detail-link');
    await act(page, 'approve');
    expect(taskOf(await view(instanceId), 'u_one', 'approved')).toBeDefined();
  });

  it('the first load is small: HTML, script and stylesheet under 100 KB gzipped, assets cached by content hash', async () => {
    const page = await phone();
    const loaded: Array<{ url: string; bytes: number; cache: string | undefined }> = [];
    page.on('response', (response) => {
      if (!response.url().startsWith(`${stack.baseUrl}/h5`)) return;
      void response
        .body()
        .then((body) => loaded.push({ url: response.url(), bytes: gzipSync(body).length, cache: response.headers()['cache-control'] }))
        .catch(() => undefined);
    });
    await page.goto(`${stack.baseUrl}/h5/`);
    await page.locator('.people button').first().waitFor();
    await pollUntil(
      'the responses read',
      async () => loaded.length,
      (n) => n >= 3,
      5_000,
    );
    const total = loaded.reduce((sum, r) => sum + r.bytes, 0);
    console.log(
      `H5 first load: ${loaded.map((r) => `${new URL(r.url).pathname} ${(r.bytes / 1024).toFixed(1)} KB`).join(', ')}; total ${(total / 1024).toFixed(1)} KB gzipped`,
    );
    expect(total).toBeLessThan(100 * 1024);
    for (const r of loaded.filter((l) => l.url.includes('/h5/assets/'))) {
      expect(r.url).toMatch(/-[A-Z0-9]{8}\.(js|css)$/);
      expect(r.cache).toBe('public, max-age=31536000, immutable');
    }
    expect(loaded.find((r) => r.url.endsWith('/h5/'))?.cache).toBe('no-cache');
    expect(loaded.some((r) => /chunk-/.test(r.url) && r.bytes > 5000)).toBe(false);
  });
});
