import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config';
import { catalogueFamilies, metricsRegistry } from '../../observability/metrics';
import { TEMPORAL_CORE_FAMILIES } from '../../observability/temporal-core-metrics';

/** The Grafana dashboard and the Prometheus config cannot drift from the code: every query names a family the code exports. */

const root = path.resolve(__dirname, '../..');
const dashboardsDir = path.join(root, 'ops/grafana/dashboards');

interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string }>;
}

const dashboards = readdirSync(dashboardsDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as { uid: string; panels: Panel[] } }));

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads: what is left once strings, label matchers, groupings, ranges and function names are gone. */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    const [word, call] = [match[0], match[1]];
    if (call || PROMQL_WORDS.has(word.toLowerCase()) || /^\d/.test(word)) continue;
    names.push(word);
  }
  return names;
}

/** Every series name a family shows as (a histogram's `_bucket`, `_sum` and `_count`). */
function seriesNames(): Set<string> {
  const histograms = new Set(
    metricsRegistry
      .getMetricsAsArray()
      .filter((m) => (m as unknown as { type: string }).type === 'histogram')
      .map((m) => m.name),
  );
  const coreHistograms = TEMPORAL_CORE_FAMILIES.filter((name) => name.endsWith('_seconds'));
  const names = new Set<string>([...catalogueFamilies(), ...TEMPORAL_CORE_FAMILIES]);
  for (const family of [...histograms, ...coreHistograms]) for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix);
  return names;
}

describe('metricNamesOf', () => {
  it('finds the metric names of an expression and nothing else', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, route) (rate(approval_http_request_duration_seconds_bucket{route=~"/api/.*", status!="500"}[$__rate_interval]))) / on() group_left max(up)',
      ),
    ).toEqual(['approval_http_request_duration_seconds_bucket', 'up']);
    expect(metricNamesOf('sum(max by (flow) (approval_pending_tasks)) * 100')).toEqual(['approval_pending_tasks']);
  });
});

describe.each(dashboards)('Grafana dashboard $file', ({ dashboard }) => {
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const expressions = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it('queries only metric families the catalogue or the Temporal core defines', () => {
    const known = seriesNames();
    const unknown = expressions.flatMap(({ panel, expr }) =>
      metricNamesOf(expr)
        .filter((name) => !known.has(name))
        .map((name) => ({ panel, name })),
    );
    expect(expressions.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  it('shows every family of the catalogue that the service defines (approval_*)', () => {
    const used = new Set(expressions.flatMap(({ expr }) => metricNamesOf(expr)).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    const missing = catalogueFamilies().filter((family) => family.startsWith('approval_') && !used.has(family));
    expect(missing).toEqual([]);
  });

  it('reads the provisioned Prometheus data source and lays panels out on the 24-column grid without overlaps', () => {
    const datasource = parse(readFileSync(path.join(root, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string }>;
    };
    const uid = datasource.datasources[0]!.uid;
    for (const panel of panels)
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({ panel: panel.title, datasource: { type: 'prometheus', uid } });
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++)
        for (let col = x; col < x + w; col++) {
          const cell = `${row}:${col}`;
          expect({ cell, taken: cells.get(cell) }).toEqual({ cell, taken: undefined });
          cells.set(cell, panel.title);
        }
    }
  });
});

describe('ops/prometheus/prometheus.yml', () => {
  const config = parse(readFileSync(path.join(root, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
  };
  const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name);

  it('scrapes the API on its port and every worker replica on WORKER_METRICS_PORT', () => {
    const defaults = loadConfig({});
    expect(job('api')?.static_configs?.[0]?.targets).toEqual([`api:${defaults.port}`]);
    expect(job('worker')?.dns_sd_configs?.[0]).toMatchObject({ names: ['worker'], port: defaults.workerMetricsPort });
  });
});
