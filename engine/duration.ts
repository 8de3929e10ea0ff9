/**
 * ISO 8601 durations of fixed length (`P2D`, `PT24H`, `PT1H30M`, `P1W`, `PT0.5S`). Years and
 * months have no fixed length and business-day calendars come later, so `P1Y` / `P1M` are refused.
 */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds, or null when `text` is not a fixed-length ISO 8601 duration longer than zero. */
export function parseIsoDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return null;
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 7 * 86_400_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Math.round(Number(seconds ?? 0) * 1000);
  return ms > 0 ? ms : null;
}

/** `at` (an ISO timestamp) plus a duration the definition validated at publish. */
export function addDuration(at: string, duration: string): string {
  const ms = parseIsoDuration(duration);
  if (ms === null) throw new Error(`not a fixed-length ISO 8601 duration: "${duration}"`);
  return new Date(Date.parse(at) + ms).toISOString();
}
