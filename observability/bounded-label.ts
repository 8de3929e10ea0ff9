/**
 * A label whose values are open-ended in principle (flow codes: as many as admins publish) kept
 * bounded: the first `limit` distinct values are used as they are, any later one becomes `other`,
 * so a burst of made-up codes cannot blow up the number of series.
 */
export function boundedLabel(limit: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}

/** Flow codes, shared by every family labelled `flow` (starts, actions, pending tasks). */
export const flowLabel = boundedLabel(100);
