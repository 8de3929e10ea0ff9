import type { Db } from '../../db/client';
import { writeProjection } from '../../db/projection';
import type { ProjectionWrite } from '../../engine/projection';
import { projectionLag } from '../../observability/metrics';

/** Projection writes, run as local activities by the workflow before it waits or touches the world. */
export function createProjectionActivities(db: Db) {
  return {
    async projectInstance(write: ProjectionWrite): Promise<void> {
      await writeProjection(db, write);
      // The lag of the newest state change this write carries (a write without events changed only what the view shows).
      const newest = write.events.reduce((latest, event) => Math.max(latest, Date.parse(event.at)), Number.NEGATIVE_INFINITY);
      if (Number.isFinite(newest)) projectionLag.observe({}, Math.max(0, Date.now() - newest) / 1000);
    },
  };
}
