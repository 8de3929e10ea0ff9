import { z } from 'zod';
import { WEBHOOK_TYPES } from '../../engine/webhook-events';
import { cursor, nextCursor, pageLimit, timestamp } from './common';

/** Webhooks we sent (SPEC §8): those that failed for good, and every delivery attempt. */

export const deadLetterListQuery = z.strictObject({
  state: z.enum(['dead', 'replayed', 'all']).default('dead').describe('dead (not replayed yet, the default) · replayed · all'),
  instanceId: z.string().min(1).max(200).optional(),
  limit: pageLimit(100, 20),
  cursor: cursor.optional(),
});

export const deliveryLogQuery = z
  .strictObject({
    eventId: z.string().min(1).max(300).optional(),
    instanceId: z.string().min(1).max(200).optional(),
    limit: pageLimit(500, 100),
  })
  .refine((q) => q.eventId !== undefined || q.instanceId !== undefined, { message: 'give eventId or instanceId', path: ['eventId'] });

export const deadLetterParams = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, 'must be a dead letter id') });

export const webhookEvent = z
  .object({
    eventId: z.string().describe('`{instanceId}:{seq}:{type}`: receivers dedupe by it'),
    type: z.enum(WEBHOOK_TYPES),
    occurredAt: timestamp,
    instance: z.object({
      instanceId: z.string(),
      flowCode: z.string(),
      flowVersion: z.number().int(),
      businessKey: z.string(),
      status: z.string(),
      source: z.object({ system: z.string(), type: z.string(), id: z.string() }).optional(),
      form: z.record(z.string(), z.unknown()),
    }),
    task: z.object({ taskId: z.string(), nodeId: z.string(), assigneeId: z.string(), status: z.string(), comment: z.string().optional() }).optional(),
    trail: z
      .array(z.object({ nodeId: z.string(), actorId: z.string(), action: z.string(), at: timestamp, comment: z.string().optional() }))
      .optional()
      .describe('approval.completed: who decided what, in order'),
  })
  .meta({ id: 'WebhookEvent', description: 'the body of a SPEC §8 webhook' });

/** What the dead letters and the delivery log both show of a webhook: which event went where. */
const sentWebhook = { eventId: z.string(), eventType: z.string(), instanceId: z.string(), url: z.string() };

export const deadLetter = z
  .object({
    id: z.string(),
    ...sentWebhook,
    lastError: z.string(),
    lastStatusCode: z.number().int().optional(),
    deadAt: timestamp,
    replayedAt: timestamp.optional(),
    replayAttempts: z.number().int(),
    event: webhookEvent,
  })
  .meta({ id: 'DeadLetter' });

export const deadLetterPage = z.object({ items: z.array(deadLetter), nextCursor }).meta({ id: 'DeadLetterPage' });

export const replayAnswer = z.object({ delivered: z.literal(true), statusCode: z.number().int(), deadLetter }).meta({ id: 'ReplayedDeadLetter' });

export const deliveryLog = z
  .object({
    items: z.array(
      z
        .object({
          ...sentWebhook,
          attempt: z.number().int().describe('the activity attempt; 0 for a replay'),
          outcome: z.enum(['delivered', 'retrying', 'rejected']),
          statusCode: z.number().int().optional(),
          error: z.string().optional(),
          durationMs: z.number().int(),
          at: timestamp,
        })
        .meta({ id: 'DeliveryAttempt' }),
    ),
  })
  .meta({ id: 'DeliveryLog' });
