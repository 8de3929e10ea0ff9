import { toInstanceView, type InstanceView } from './instance-view';
import type { InstanceState, TimelineEvent } from './state';

/**
 * What one write of an instance's Postgres projection carries: the whole instance view, the
 * tasks that changed since the previous write and the timeline events not yet written.
 * `revision` grows by one with every write of the instance (across continue-as-new), so the
 * database can refuse a write older than the row it holds.
 */
export interface ProjectionWrite {
  revision: number;
  /** The app that started the instance (who may read it, SPEC §7); absent in writes recorded before it was carried. */
  appKey?: string;
  view: InstanceView;
  changedTaskIds: string[];
  events: TimelineEvent[];
}

/** How far the projection has been written. Carried in the instance state across continue-as-new. */
export interface ProjectionMark {
  revision: number;
  /** The highest timeline seq written (0: none). */
  eventSeq: number;
}

export const NOTHING_PROJECTED: ProjectionMark = { revision: 0, eventSeq: 0 };

/**
 * The next write, given the mark and what each task looked like when last written (`written`,
 * task id → fingerprint; empty after continue-as-new, which rewrites every task once).
 * Returns the write and the fingerprints to remember once it has succeeded.
 */
export function nextProjection(
  state: InstanceState,
  mark: ProjectionMark,
  written: ReadonlyMap<string, string>,
): { write: ProjectionWrite; fingerprints: Map<string, string> } {
  const view = toInstanceView(state);
  const fingerprints = new Map(view.tasks.map((t) => [t.taskId, JSON.stringify(t)]));
  const changedTaskIds = [...fingerprints].filter(([taskId, print]) => written.get(taskId) !== print).map(([taskId]) => taskId);
  const events = state.timeline.filter((e) => e.seq > mark.eventSeq);
  return { write: { revision: mark.revision + 1, appKey: state.appKey, view, changedTaskIds, events }, fingerprints };
}

export function markAfter(write: ProjectionWrite, mark: ProjectionMark): ProjectionMark {
  return { revision: write.revision, eventSeq: write.events.reduce((max, e) => Math.max(max, e.seq), mark.eventSeq) };
}
