import { z } from 'zod';

/** Query strings of the webhook routes (SPEC §8 dead letters and the delivery log). */

const limit = (max: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int(`must be a whole number from 1 to ${max}`)
    .min(1)
    .max(max);

export const deadLetterListQuery = z.strictObject({
  /** dead (not replayed yet, the default) · replayed · all */
  state: z.enum(['dead', 'replayed', 'all']).default('dead'),
  instanceId: z.string().min(1).max(200).optional(),
  limit: limit(100).default(20),
  cursor: z.string().min(1).max(1000).optional(),
});

export const deliveryLogQuery = z
  .strictObject({
    eventId: z.string().min(1).max(300).optional(),
    instanceId: z.string().min(1).max(200).optional(),
    limit: limit(500).default(100),
  })
  .refine((q) => q.eventId !== undefined || q.instanceId !== undefined, { message: 'give eventId or instanceId', path: ['eventId'] });

export const deadLetterId = z.string().regex(/^[1-9]\d{0,17}$/, 'must be a dead letter id');
