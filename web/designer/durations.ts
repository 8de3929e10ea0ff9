import { parseIsoDuration } from '../../engine/duration';

/** Durations as an admin types them (3 天, 24 小时, 30 分钟) and as the DSL keeps them (ISO 8601: P3D, PT24H, PT30M). */

export type DurationUnit = 'D' | 'H' | 'M';
export const DURATION_UNITS: Array<{ unit: DurationUnit; label: string; ms: number }> = [
  { unit: 'D', label: '天', ms: 86_400_000 },
  { unit: 'H', label: '小时', ms: 3_600_000 },
  { unit: 'M', label: '分钟', ms: 60_000 },
];

export function isoDuration(amount: number, unit: DurationUnit): string {
  return unit === 'D' ? `P${amount}D` : `PT${amount}${unit}`;
}

/** The largest unit that holds the duration whole, or undefined for one that needs seconds (shown as typed). */
export function friendlyDuration(iso: string): { amount: number; unit: DurationUnit } | undefined {
  const ms = parseIsoDuration(iso);
  if (ms === null) return undefined;
  for (const { unit, ms: size } of DURATION_UNITS) if (ms % size === 0) return { amount: ms / size, unit };
  return undefined;
}

export function durationText(iso: string | undefined): string {
  if (!iso) return '';
  const friendly = friendlyDuration(iso);
  if (!friendly) return iso;
  return `${friendly.amount} ${DURATION_UNITS.find((u) => u.unit === friendly.unit)!.label}`;
}
