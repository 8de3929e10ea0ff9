/**
 * Draws a Grafana dashboard JSON as a static HTML page with inline SVG, Grafana's dark theme and
 * its grid (24 columns, 30 px a row unit): row headers, stat panels (the last value coloured by
 * the thresholds, over a sparkline) and time series (lines, stacked when the panel says so, axes
 * in the panel's unit, a legend). The data are the series Prometheus answered for each target.
 */

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
}

export interface ThresholdStep {
  color: string;
  value: number | null;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  targets?: DashboardTarget[];
  fieldConfig?: {
    defaults?: {
      unit?: string;
      decimals?: number;
      thresholds?: { steps: ThresholdStep[] };
      custom?: { stacking?: { mode: string } };
    };
  };
}

export interface Dashboard {
  title: string;
  panels: DashboardPanel[];
}

/** One line of a panel: its legend and its points (unix seconds, value; NaN where there is none). */
export interface PlotSeries {
  label: string;
  points: Array<[number, number]>;
}

export interface PageOptions {
  /** The time range drawn, unix seconds. */
  start: number;
  end: number;
  /** Above the panels, small: what this picture is. */
  note: string;
  width: number;
}

const PALETTE = [
  '#73BF69',
  '#F2CC0C',
  '#8AB8FF',
  '#FF780A',
  '#F2495C',
  '#5794F2',
  '#B877D9',
  '#FF9830',
  '#37872D',
  '#FADE2A',
  '#C4162A',
  '#1F60C4',
  '#8F3BB8',
  '#E0B400',
];
const NAMED_COLORS: Record<string, string> = { green: '#73BF69', red: '#F2495C', orange: '#FF9830', yellow: '#FADE2A', blue: '#5794F2' };
const ROW_UNIT = 30;
const GAP = 8;
const HEADER = 86;
const MARGIN = 16;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function abbreviate(value: number, decimals: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}K`;
  if (abs !== 0 && abs < 0.01) return value.toExponential(1);
  return value.toFixed(Number.isInteger(value) ? 0 : decimals);
}

/** A value in the panel's unit, as Grafana writes it. */
export function formatValue(value: number, unit: string | undefined, decimals?: number): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'reqps':
      return `${abbreviate(value, decimals ?? 2)} req/s`;
    case 's':
      if (value === 0) return '0 s';
      if (value < 1) return `${(value * 1000).toFixed(value < 0.01 ? 1 : 0)} ms`;
      return `${value.toFixed(decimals ?? 2)} s`;
    case 'percentunit':
      return `${(value * 100).toFixed(decimals ?? 1)}%`;
    default:
      return abbreviate(value, decimals ?? 1);
  }
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function clock(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(11, 16);
}

function thresholdColor(steps: ThresholdStep[] | undefined, value: number): string {
  let color = steps?.[0]?.color ?? 'green';
  for (const step of steps ?? []) if (step.value !== null && value >= step.value) color = step.color;
  return NAMED_COLORS[color] ?? color;
}

function linePath(points: Array<[number, number]>, x: (t: number) => number, y: (v: number) => number): string {
  let path = '';
  let drawing = false;
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    drawing = true;
  }
  return path;
}

/** Series summed in order (Grafana's normal stacking); a missing value counts as nothing. */
function stacked(series: PlotSeries[]): PlotSeries[] {
  const totals = new Map<number, number>();
  return series.map((s) => ({
    label: s.label,
    points: s.points.map(([t, v]) => {
      const total = (totals.get(t) ?? 0) + (Number.isFinite(v) ? v : 0);
      totals.set(t, total);
      return [t, total] as [number, number];
    }),
  }));
}

function timeSeriesSvg(panel: DashboardPanel, series: PlotSeries[], width: number, height: number, options: PageOptions): string {
  const unit = panel.fieldConfig?.defaults?.unit;
  const drawn = panel.fieldConfig?.defaults?.custom?.stacking?.mode === 'normal' ? stacked(series) : series;
  const values = drawn.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const top = niceCeiling(Math.max(0, ...values) * 1.05);
  const axisWidth = 62;
  const plot = { left: axisWidth, top: 6, width: width - axisWidth - 8, height: height - 26 };
  const x = (t: number) => plot.left + ((t - options.start) / (options.end - options.start)) * plot.width;
  const y = (v: number) => plot.top + plot.height - (v / top) * plot.height;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    const gy = y(value);
    parts.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${gy}" y2="${gy}" stroke="#2c3235" stroke-width="1"/>`);
    parts.push(`<text x="${plot.left - 6}" y="${gy + 4}" text-anchor="end" class="tick">${escape(formatValue(value, unit))}</text>`);
  }
  const span = options.end - options.start;
  const tickEvery = [60, 120, 300, 600, 900, 1800, 3600].find((s) => span / s <= 8) ?? 3600;
  for (let t = Math.ceil(options.start / tickEvery) * tickEvery; t <= options.end; t += tickEvery) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${plot.top}" y2="${plot.top + plot.height}" stroke="#2c3235" stroke-width="1"/>`);
    parts.push(`<text x="${x(t)}" y="${plot.top + plot.height + 16}" text-anchor="middle" class="tick">${clock(t)}</text>`);
  }
  const fills = [...drawn].reverse();
  for (const [i, s] of fills.entries()) {
    const color = PALETTE[(drawn.length - 1 - i) % PALETTE.length]!;
    const line = linePath(s.points, x, y);
    if (line === '') continue;
    const finite = s.points.filter(([, v]) => Number.isFinite(v));
    const area = `${line}L${x(finite.at(-1)![0]).toFixed(1)},${y(0)}L${x(finite[0]![0]).toFixed(1)},${y(0)}Z`;
    parts.push(`<path d="${area}" fill="${color}" fill-opacity="0.10" stroke="none"/>`);
  }
  for (const [i, s] of drawn.entries()) {
    const line = linePath(s.points, x, y);
    if (line !== '') parts.push(`<path d="${line}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.6" stroke-linejoin="round"/>`);
  }
  if (values.length === 0)
    parts.push(`<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height / 2}" text-anchor="middle" class="nodata">No data</text>`);
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function legendHtml(panel: DashboardPanel, series: PlotSeries[]): string {
  const unit = panel.fieldConfig?.defaults?.unit;
  const items = series.map((s, i) => {
    const last = [...s.points].reverse().find(([, v]) => Number.isFinite(v))?.[1];
    const value = last === undefined ? '' : ` <span class="legend-value">${escape(formatValue(last, unit))}</span>`;
    return `<span class="legend-item"><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escape(s.label)}${value}</span>`;
  });
  return `<div class="legend">${items.join('')}</div>`;
}

function statHtml(panel: DashboardPanel, series: PlotSeries[], width: number, height: number, options: PageOptions): string {
  const defaults = panel.fieldConfig?.defaults;
  const points = series[0]?.points ?? [];
  const last = [...points].reverse().find(([, v]) => Number.isFinite(v))?.[1];
  if (last === undefined) return `<div class="stat-value nodata">No data</div>`;
  const color = thresholdColor(defaults?.thresholds?.steps, last);
  const finite = points.filter(([, v]) => Number.isFinite(v));
  const max = Math.max(...finite.map(([, v]) => v), 1e-9);
  const x = (t: number) => ((t - options.start) / (options.end - options.start)) * width;
  const y = (v: number) => height - (v / max) * height * 0.55;
  const line = linePath(points, x, y);
  const spark =
    line === ''
      ? ''
      : `<svg class="spark" width="${width}" height="${height}"><path d="${line}L${x(finite.at(-1)![0])},${height}L${x(finite[0]![0])},${height}Z" fill="${color}" fill-opacity="0.18" stroke="${color}" stroke-opacity="0.6" stroke-width="1.2"/></svg>`;
  return `<div class="stat-value">${spark}<span style="color:${color}">${escape(formatValue(last, defaults?.unit, defaults?.decimals))}</span></div>`;
}

/** The page: Grafana's top bar, then every panel where its gridPos puts it. Returns the page and its height. */
export function dashboardPage(dashboard: Dashboard, data: ReadonlyMap<number, PlotSeries[]>, options: PageOptions): { html: string; height: number } {
  const column = (options.width - 2 * MARGIN) / 24;
  const bottom = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  const height = HEADER + bottom * ROW_UNIT + MARGIN;
  const panels = dashboard.panels.map((panel) => {
    const { x, y, w, h } = panel.gridPos;
    const box = { left: MARGIN + x * column, top: HEADER + y * ROW_UNIT, width: w * column - GAP, height: h * ROW_UNIT - GAP };
    const style = `left:${box.left}px;top:${box.top}px;width:${box.width}px;height:${box.height}px`;
    if (panel.type === 'row') return `<div class="row" style="${style}"><span class="caret">⌄</span>${escape(panel.title)}</div>`;
    const series = data.get(panel.id) ?? [];
    const bodyWidth = box.width - 16;
    const titleHeight = 30;
    let body: string;
    if (panel.type === 'stat') body = statHtml(panel, series, box.width - 2, box.height - titleHeight - 2, options);
    else {
      const legendLines = Math.min(4, Math.max(1, Math.ceil(series.length / Math.max(1, Math.floor(bodyWidth / 190)))));
      const legendHeight = series.length === 0 ? 0 : legendLines * 18 + 6;
      body = timeSeriesSvg(panel, series, bodyWidth, box.height - titleHeight - legendHeight - 8, options) + legendHtml(panel, series);
    }
    return `<div class="panel ${panel.type}" style="${style}"><div class="title">${escape(panel.title)}</div><div class="body">${body}</div></div>`;
  });
  const range = `${clock(options.start)} to ${clock(options.end)} UTC`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    * { box-sizing: border-box; }
    body { margin: 0; background: #111217; color: #ccccdc; font-family: Inter, "Noto Sans", "Noto Sans CJK SC", "Helvetica Neue", Arial, sans-serif; width: ${options.width}px; height: ${height}px; position: relative; overflow: hidden; }
    .topbar { position: absolute; left: 0; right: 0; top: 0; height: 44px; background: #181b1f; border-bottom: 1px solid #2c3235; display: flex; align-items: center; padding: 0 ${MARGIN}px; gap: 10px; font-size: 14px; }
    .logo { width: 22px; height: 22px; border-radius: 50%; background: conic-gradient(#F05A28, #FBCA0A, #F05A28); }
    .crumb { color: #8e8e8e; } .crumb b { color: #ccccdc; font-weight: 500; }
    .picker { margin-left: auto; border: 1px solid #2c3235; border-radius: 2px; padding: 5px 10px; font-size: 13px; color: #ccccdc; background: #111217; }
    .note { position: absolute; left: ${MARGIN}px; right: ${MARGIN}px; top: 52px; font-size: 12px; color: #8e8e8e; }
    .row { position: absolute; font-size: 15px; font-weight: 500; color: #ccccdc; display: flex; align-items: center; gap: 6px; }
    .caret { color: #8e8e8e; font-size: 13px; }
    .panel { position: absolute; background: #181b1f; border: 1px solid #2c3235; border-radius: 2px; overflow: hidden; }
    .title { height: 30px; line-height: 30px; padding: 0 8px; font-size: 13px; font-weight: 500; color: #ccccdc; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .timeseries .body { padding: 0 8px; }
    .tick { fill: #8e8e8e; font-size: 10.5px; }
    .nodata { fill: #8e8e8e; color: #8e8e8e; font-size: 13px; }
    .legend { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 11.5px; line-height: 16px; max-height: 74px; overflow: hidden; padding-top: 4px; }
    .legend-item { display: inline-flex; align-items: center; gap: 5px; white-space: nowrap; color: #ccccdc; }
    .legend-item i { display: inline-block; width: 14px; height: 4px; border-radius: 2px; }
    .legend-value { color: #8e8e8e; }
    .stat .body { height: calc(100% - 30px); }
    .stat-value { position: relative; height: 100%; display: flex; align-items: center; justify-content: center; font-size: 34px; font-weight: 500; }
    .stat-value span { position: relative; }
    .stat-value.nodata { font-size: 16px; }
    .spark { position: absolute; left: 0; top: 0; }
  </style></head><body>
    <div class="topbar"><div class="logo"></div><span class="crumb">Home › Dashboards › Approvals › <b>${escape(dashboard.title)}</b></span><span class="picker">🕒 ${range}</span><span class="picker">⟳</span></div>
    <div class="note">${escape(options.note)}</div>
    ${panels.join('\n')}
  </body></html>`;
  return { html, height };
}

/** `{{label}}` of the legend format filled from the series' labels (the whole label set when there is no format). */
export function legendOf(format: string | undefined, metric: Record<string, string>): string {
  if (!format)
    return `{${Object.entries(metric)
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ')}}`;
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => metric[name] ?? '').trim();
}
