import type { Db } from '../../db/client';
import { writeProjection } from '../../db/projection';
import type { ProjectionWrite } from '../../engine/projection';

/** Projection writes, run as local activities by the workflow before it waits or touches the world. */
export function createProjectionActivities(db: Db) {
  return {
    async projectInstance(write: ProjectionWrite): Promise<void> {
      await writeProjection(db, write);
    },
  };
}
