import path from 'node:path';
import type { Browser } from 'playwright-core';
import { API_ROUTES } from '../../api/app';
import { ARTIFACTS_DIR, launchBrowser } from '../support/browser';
import { expectOk, hasPendingTasks, seedOrgAndFlow, startBody, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/** `/docs` in headless Chromium: Swagger UI renders every operation, and "Try it out" signs a real request the API accepts. */

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  const flowCode = await seedOrgAndFlow(stack.api, 'docs', ['u_a']);
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
  await waitForView(stack.api, started.instanceId, hasPendingTasks);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the docs page (/docs)', () => {
  it('shows every operation of the document, grouped by tag', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(API_ROUTES.length);
    expect(await page.locator('.opblock-tag').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('instances'), expect.stringContaining('tasks'), expect.stringContaining('webhooks')]),
    );
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'docs-page.png'), fullPage: false });
    await page.close();
  });

  it('“Try it out” signs the request with the credentials typed in, and the API answers 200', async () => {
    // read_all: the todo list it reads is of instances the stack's app started (SPEC §7).
    const app = await stack.appWith(['start', 'read_all']);
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/docs#/tasks/listTasks`);
    await page.fill('#credentials input[name=appKey]', app.appKey);
    await page.fill('#credentials input[name=secret]', app.secret);
    const operation = page.locator('#operations-tasks-listTasks');
    await operation.waitFor();
    if (!(await operation.locator('.try-out__btn').isVisible())) await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('input[placeholder="assignee"]').fill('u_a');
    const answered = page.waitForResponse((response) => response.url().includes('/api/v1/tasks'));
    await operation.locator('.execute').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ items: [{ assigneeId: 'u_a', status: 'pending' }] });
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'docs-try-it-out.png'), fullPage: false });
    await page.close();
  });

  it('without credentials the same request is refused as unsigned (401)', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/docs#/tasks/listTasks`);
    const operation = page.locator('#operations-tasks-listTasks');
    await operation.waitFor();
    if (!(await operation.locator('.try-out__btn').isVisible())) await operation.locator('.opblock-summary').click();
    await operation.locator('.try-out__btn').click();
    const answered = page.waitForResponse((response) => response.url().includes('/api/v1/tasks'));
    await operation.locator('.execute').click();
    const response = await answered;
    expect(response.status()).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'MISSING_SIGNATURE' } });
    await page.close();
  });
});
