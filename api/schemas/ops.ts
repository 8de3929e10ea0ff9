import { z } from 'zod';
import { timestamp } from './common';

/** Health and the projection drift check. */

export const health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: z.string().describe('ok, or what failed'), temporal: z.string() }),
  })
  .meta({ id: 'Readiness' });

export const driftReport = z
  .object({
    checkedAt: timestamp,
    instancesChecked: z.number().int(),
    differences: z.array(
      z.object({
        instanceId: z.string(),
        kind: z.enum(['missing_instance', 'instance_field', 'missing_task', 'task_field', 'stale_open_task', 'missing_events', 'workflow_missing']),
        field: z.string().optional(),
        taskId: z.string().optional(),
        projection: z.unknown().optional(),
        workflow: z.unknown().optional(),
      }),
    ),
  })
  .meta({ id: 'DriftReport', description: 'every way the projection disagrees with the workflows of the open instances' });
