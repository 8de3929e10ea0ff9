import { z } from 'zod';
import type { ReassignRequest, TerminateRequest } from '../../engine/interventions';
import { key } from './common';

/** How long an admin's reason may be: it goes onto the timeline, the card and the webhook's trail. */
export const MAX_REASON_LENGTH = 500;

const intervention = {
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 characters of letters, digits, ".", "_", ":" or "-"')
    .describe('idempotency key: the same requestId again answers the first result and does nothing again'),
  reason: z.string().trim().min(1, 'is required').max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`).describe('why (on the timeline)'),
  actorId: key.optional().describe('the admin user an app acts for (an app on its own account is recorded as `app:{appKey}`; a session acts as its own user)'),
};

/** The body leaves the actor out: the API fills it in from the session or the app. */
type Body<T> = Omit<T, 'actorId' | 'targets'> & { actorId?: string };

export const terminateBody = z.strictObject(intervention).meta({
  id: 'TerminateRequest',
  description: '强制终止: every open task is cancelled, compensations run, the instance ends `terminated`',
}) satisfies z.ZodType<Body<TerminateRequest>>;

export const reassignBody = z
  .strictObject({
    ...intervention,
    taskId: key.describe('an open task of the instance'),
    toUserId: key.describe('who takes the task over (or their delegate)'),
  })
  .meta({ id: 'ReassignRequest', description: '修改审批人: an open task moves to another user' }) satisfies z.ZodType<Body<ReassignRequest>>;

export type TerminateBody = z.infer<typeof terminateBody>;
export type ReassignBody = z.infer<typeof reassignBody>;
