/** A `/metrics` answer read back: which families it declares and the value of its series. */
export interface Scrape {
  text: string;
  /** The families of `# TYPE` lines. */
  families: Set<string>;
  /** The sum of the samples of `name` whose labels include `labels` (0 when none has them). */
  sum(name: string, labels?: Record<string, string>): number;
  /** The samples of `name`, with their labels. */
  series(name: string): Array<{ labels: Record<string, string>; value: number }>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text exposition format. */
export function parseMetrics(text: string): Scrape {
  const families = new Set<string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) families.add(line.split(' ')[2]!);
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((m) => [m[1]!, m[2]!.replace(/\\(.)/g, '$1')]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const matching = (name: string, labels: Record<string, string>) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value));
  return {
    text,
    families,
    sum: (name, labels = {}) => matching(name, labels).reduce((total, s) => total + s.value, 0),
    series: (name) => matching(name, {}).map(({ labels, value }) => ({ labels, value })),
  };
}

export async function scrapeMetrics(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}
