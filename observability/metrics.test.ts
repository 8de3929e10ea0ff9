import { boundedLabel } from './bounded-label';
import { catalogueFamilies, metricsRegistry } from './metrics';

/** Prometheus naming conventions, and labels whose values come from small sets: never a person, an instance, a path or a secret. */

interface Described {
  name: string;
  type: string;
  labelNames: string[];
}

const ours = (): Described[] => (metricsRegistry.getMetricsAsArray() as unknown as Described[]).filter((m) => m.name.startsWith('approval_'));

/** Every label the catalogue may use; each one's values are a fixed set or folded (bounded-label.ts). */
const BOUNDED_LABELS = new Set(['method', 'route', 'status', 'flow', 'type', 'result', 'kind', 'api', 'op']);

describe('the metrics catalogue', () => {
  it('names every family of the service approval_* by Prometheus conventions', () => {
    const families = ours();
    expect(families.length).toBeGreaterThanOrEqual(18);
    for (const { name, type } of families) {
      expect({ name, ok: /^approval_[a-z][a-z0-9_]*[a-z]$/.test(name) }).toEqual({ name, ok: true });
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });

  it('uses only labels with bounded values', () => {
    const unbounded = ours().flatMap(({ name, labelNames }) => labelNames.filter((label) => !BOUNDED_LABELS.has(label)).map((label) => `${name}{${label}}`));
    expect(unbounded).toEqual([]);
  });

  it('keeps Node’s own metrics under their standard names', () => {
    expect(catalogueFamilies()).toEqual(
      expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']),
    );
  });
});

describe('boundedLabel', () => {
  it('keeps the first values it sees and folds any later new one into other', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'b', 'd'].map(label)).toEqual(['a', 'b', 'other', 'a', 'b', 'other']);
  });
});
