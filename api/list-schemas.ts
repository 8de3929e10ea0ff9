import { z } from 'zod';
import { INSTANCE_STATUSES, TASK_STATUSES } from '../engine/state';

/** Query strings of the read side (SPEC §6 task center and instance lists). Unknown parameters are refused. */

const id = z.string().min(1).max(128);
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, such as 2025-01-31T09:00:00+08:00' });
const limit = z.coerce.number({ error: 'must be a whole number from 1 to 100' }).int('must be a whole number from 1 to 100').min(1).max(100).default(20);
const cursor = z.string().min(1).max(1000);

export const taskListQuery = z
  .strictObject({
    assignee: id.optional(),
    status: z.enum(TASK_STATUSES).default('pending'),
    flowCode: id.optional(),
    createdFrom: instant.optional(),
    createdTo: instant.optional(),
    limit,
    cursor: cursor.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.createdFrom && q.createdTo && Date.parse(q.createdFrom) >= Date.parse(q.createdTo)) {
      ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must be after createdFrom' });
    }
  });
export type TaskListQuery = z.infer<typeof taskListQuery>;

export const instanceListQuery = z
  .strictObject({
    sourceSystem: id.optional(),
    sourceType: id.optional(),
    sourceId: id.optional(),
    initiatorId: id.optional(),
    status: z.enum(INSTANCE_STATUSES).optional(),
    flowCode: id.optional(),
    limit,
    cursor: cursor.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.sourceSystem === undefined && q.initiatorId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sourceSystem'], message: 'give sourceSystem (with sourceType and sourceId) or initiatorId' });
    }
    if (q.sourceType !== undefined && q.sourceSystem === undefined) ctx.addIssue({ code: 'custom', path: ['sourceType'], message: 'needs sourceSystem' });
    if (q.sourceId !== undefined && q.sourceType === undefined) ctx.addIssue({ code: 'custom', path: ['sourceId'], message: 'needs sourceType' });
  });
export type InstanceListQuery = z.infer<typeof instanceListQuery>;
