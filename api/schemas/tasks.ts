import { z } from 'zod';
import { TASK_STATUSES } from '../../engine/state';
import { cursor, instant, key, nextCursor, pageLimit, timestamp } from './common';

/** The task center (SPEC §6): 待办 and 已办, newest first, keyset pages. */

export const taskListQuery = z
  .strictObject({
    assignee: key.optional().describe('whose list; a user session reads its own (the default)'),
    status: z
      .enum([...TASK_STATUSES, 'closed'])
      .default('pending')
      .describe('pending (待办, the default); closed (已办: every task neither pending nor waiting), or one status'),
    flowCode: key.optional(),
    createdFrom: instant.optional().describe('created at or after'),
    createdTo: instant.optional().describe('created before'),
    limit: pageLimit(100, 20),
    cursor: cursor.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.createdFrom && q.createdTo && Date.parse(q.createdFrom) >= Date.parse(q.createdTo)) {
      ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must be after createdFrom' });
    }
  });
export type TaskListQuery = z.infer<typeof taskListQuery>;

export const taskPage = z
  .object({
    items: z.array(
      z
        .object({
          taskId: z.string(),
          instanceId: z.string(),
          flowCode: z.string(),
          nodeId: z.string(),
          nodeName: z.string().optional(),
          assigneeId: z.string(),
          status: z.enum(TASK_STATUSES),
          createdAt: timestamp,
          completedAt: timestamp.optional(),
          title: z.string().describe('flow name and business key'),
          delegatedFrom: z.string().optional(),
        })
        .meta({ id: 'TodoItem' }),
    ),
    nextCursor,
  })
  .meta({ id: 'TodoPage' });
