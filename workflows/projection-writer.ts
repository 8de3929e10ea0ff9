import type { InstanceState } from '../engine/instance';
import { markAfter, nextProjection, NOTHING_PROJECTED, type ProjectionMark } from '../engine/projection';
import { projectInstance } from './activity-stubs';

/**
 * Writes the instance to its Postgres projection (the `projectInstance` local activity): the
 * view, the tasks that changed since the last write and the timeline events not written yet.
 */
export class ProjectionWriter {
  /** Task fingerprints as last written, so a write carries only the tasks that changed. */
  private writtenTasks = new Map<string, string>();

  /** @param writtenRevision the revision last written; a resumed run starts where the previous one left it. */
  constructor(private writtenRevision: number) {}

  /** Instances started before projections existed are never written. */
  isDue(state: InstanceState, revision: number): boolean {
    return state.features?.projection === true && this.writtenRevision !== revision;
  }

  /**
   * Writes `state` (at `revision`) and answers how far the projection now reaches. The caller
   * records the mark on the state as it is by then: actions may have changed it meanwhile.
   */
  async write(state: InstanceState, revision: number): Promise<ProjectionMark> {
    const mark = state.projected ?? NOTHING_PROJECTED;
    const { write, fingerprints } = nextProjection(state, mark, this.writtenTasks);
    await projectInstance(write);
    this.writtenRevision = revision;
    this.writtenTasks = fingerprints;
    return markAfter(write, mark);
  }
}
