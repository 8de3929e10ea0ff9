import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); Playwright's own browser download cannot run here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Pages are tested in a real browser. CI installs Chromium (.ci/run); elsewhere a machine without it skips these tests, and says so. */
export const browserAvailable = existsSync(CHROMIUM_PATH);
if (!browserAvailable && process.env.CI) throw new Error(`no Chromium at ${CHROMIUM_PATH}: CI must install it (apt-get install -y chromium fonts-noto-cjk)`);

export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
