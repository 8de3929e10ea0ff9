import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../runtime/free-port';
import { spawnOwned, stopChild } from '../../runtime/owned-process';

/** A Prometheus of our own, on a throwaway data dir, scraping one target; killed with us if we die. */
export interface RunningPrometheus {
  url: string;
  /** Its scrape interval, in seconds. */
  scrapeSeconds: number;
  stop(): Promise<void>;
}

export async function startPrometheus(binary: string, target: URL, scrapeSeconds: number): Promise<RunningPrometheus> {
  if (!existsSync(binary)) {
    throw new Error(
      `no Prometheus at ${binary}: GOBIN=${path.dirname(binary)} go install github.com/prometheus/prometheus/cmd/prometheus@v0.316.0, or set PROMETHEUS_BIN`,
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'approvals-prometheus-'));
  const config = [
    'global:',
    `  scrape_interval: ${scrapeSeconds}s`,
    `  evaluation_interval: ${scrapeSeconds}s`,
    'scrape_configs:',
    '  - job_name: approvals',
    `    metrics_path: ${target.pathname}`,
    '    static_configs:',
    `      - targets: ["${target.host}"]`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const child = spawnOwned(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, scrapeSeconds, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus did not get ready (exit code ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** `GET /api/v1/query_range`: the series of `query` over [start, end] (unix seconds) every `step` seconds. */
export async function queryRange(prometheusUrl: string, query: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  const response = await fetch(`${prometheusUrl}/api/v1/query_range?${params}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: RangeSeries[] } };
  if (body.status !== 'success' || !body.data) throw new Error(`Prometheus refused ${query}: ${body.error ?? response.status}`);
  return body.data.result;
}
