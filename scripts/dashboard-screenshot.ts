/**
 * The picture of the Grafana dashboard in the README (docs/images/dashboard.png), from a local run.
 *
 * Grafana is not available on the build machine (no Docker, and it is not built here), so this is
 * NOT a Grafana screenshot: it is the dashboard's own queries (ops/grafana/dashboards/approvals.json,
 * every panel's PromQL as written) run against a real Prometheus that scraped a real `npm start`
 * under demo load, drawn by this script (render-dashboard.ts: Grafana's dark theme and grid, lines,
 * stats, legends) and photographed in headless Chromium.
 *
 * With `npm start` running (the embedded product; its `/metrics` carries the API's, the worker's
 * and the Temporal core's metrics):
 *
 *   GOBIN=$PWD/.tools/prometheus go install github.com/prometheus/prometheus/cmd/prometheus@v0.316.0   # once
 *   node --import tsx scripts/dashboard-screenshot.ts
 *
 * It starts its own Prometheus (PROMETHEUS_BIN, default .tools/prometheus/prometheus; a throwaway
 * data dir; scraping API_URL/metrics every 5 s), drives LOAD_SECONDS (default 300) of demo traffic
 * over the signed API as the demo ERP (scripts/dashboard/demo-load.ts: it publishes two small demo
 * flows, demo_expense and demo_contract, if they are absent), then queries the range and writes
 * SCREENSHOT_PATH (default docs/images/dashboard.png; SCREENSHOT_HTML keeps the page too). Prometheus stops when it is done.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createSignedClient } from '../client/signed-client';
import { loadConfig } from '../config';
import { DEMO_APP_KEY } from '../db/seed-demo';
import { driveDemoLoad } from './dashboard/demo-load';
import { queryRange, startPrometheus } from './dashboard/prometheus-server';
import { dashboardPage, legendOf, type Dashboard, type PlotSeries } from './dashboard/render-dashboard';

const ROOT = path.resolve(__dirname, '..');
const SCRAPE_SECONDS = 5;
/** Grafana's `$__rate_interval` for this scrape interval: at least four scrapes. */
const RATE_INTERVAL = '30s';
const WIDTH = 1680;

const log = (line: string) => console.log(`[dashboard] ${line}`);

async function main(): Promise<void> {
  const config = loadConfig();
  const apiUrl = process.env.API_URL ?? `http://127.0.0.1:${config.port}`;
  const erpUrl = process.env.ERP_SANDBOX_URL ?? `http://127.0.0.1:${config.erpSandboxPort}`;
  const dingtalkUrl = process.env.DINGTALK_SANDBOX_URL ?? `http://127.0.0.1:${config.dingtalkSandboxPort}`;
  const binary = process.env.PROMETHEUS_BIN ?? path.join(ROOT, '.tools/prometheus/prometheus');
  const loadSeconds = Number(process.env.LOAD_SECONDS ?? 300);
  const out = path.resolve(process.env.SCREENSHOT_PATH ?? path.join(ROOT, 'docs/images/dashboard.png'));
  const healthy = await fetch(`${apiUrl}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!healthy) throw new Error(`no API at ${apiUrl}: start the product first (npm start)`);

  const prometheus = await startPrometheus(binary, new URL('/metrics', apiUrl), SCRAPE_SECONDS);
  log(`Prometheus at ${prometheus.url}, scraping ${apiUrl}/metrics every ${SCRAPE_SECONDS} s`);
  try {
    const start = Math.floor(Date.now() / 1000);
    // A few scrapes before the load, so every counter's first sample is from before it moved.
    await new Promise((resolve) => setTimeout(resolve, SCRAPE_SECONDS * 3 * 1000));
    const api = createSignedClient({ baseUrl: apiUrl, appKey: DEMO_APP_KEY, secret: config.demoErpSecret });
    const report = await driveDemoLoad(api, { seconds: loadSeconds, concurrency: 3, erpUrl, dingtalkUrl, log });
    log(`load done: ${JSON.stringify(report)}`);
    // The last answers scraped, and the rate windows past the end of the load.
    await new Promise((resolve) => setTimeout(resolve, (SCRAPE_SECONDS * 3 + 1) * 1000));
    const end = Math.floor(Date.now() / 1000);

    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'ops/grafana/dashboards/approvals.json'), 'utf8')) as Dashboard;
    const step = Math.max(SCRAPE_SECONDS, Math.round((end - start) / 240));
    const data = new Map<number, PlotSeries[]>();
    for (const panel of dashboard.panels) {
      const series: PlotSeries[] = [];
      for (const target of panel.targets ?? []) {
        const query = target.expr.replaceAll('$__rate_interval', RATE_INTERVAL);
        for (const result of await queryRange(prometheus.url, query, start, end, step)) {
          series.push({ label: legendOf(target.legendFormat, result.metric), points: result.values.map(([t, v]) => [t, Number(v)]) });
        }
      }
      data.set(panel.id, series);
    }
    const note =
      'Rendered by scripts/dashboard-screenshot.ts, not by Grafana (not available on the build machine): every panel is the PromQL of ops/grafana/dashboards/approvals.json, ' +
      `run against a real Prometheus that scraped a local npm start under ${Math.round(loadSeconds / 60)} minutes of demo load.`;
    const page = dashboardPage(dashboard, data, { start, end, note, width: WIDTH });
    if (process.env.SCREENSHOT_HTML) writeFileSync(process.env.SCREENSHOT_HTML, page.html);

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: WIDTH, height: page.height }, deviceScaleFactor: 1 });
      await tab.setContent(page.html, { waitUntil: 'load' });
      mkdirSync(path.dirname(out), { recursive: true });
      await tab.screenshot({ path: out, fullPage: true });
    } finally {
      await browser.close();
    }
    log(`wrote ${path.relative(ROOT, out)}`);
  } finally {
    await prometheus.stop();
  }
}

main().catch((err) => {
  console.error(`[dashboard] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
