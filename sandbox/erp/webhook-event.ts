import { z } from 'zod';

/** SPEC §8: the events the approval center sends to an instance's `callbackUrl`. */
export const WEBHOOK_EVENT_TYPES = ['approval.task.created', 'approval.task.completed', 'approval.completed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const timestamp = z.iso.datetime({ offset: true });

/** SPEC §8's webhook body. Extra fields are kept: the contract fixes these names, it does not forbid more. */
export const webhookEventSchema = z
  .looseObject({
    eventId: z.string().min(1),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    occurredAt: timestamp,
    instance: z.looseObject({
      instanceId: z.string().min(1),
      flowCode: z.string().min(1),
      flowVersion: z.int().positive(),
      businessKey: z.string(),
      status: z.string().min(1),
      source: z.looseObject({ system: z.string(), type: z.string(), id: z.string() }),
      form: z.record(z.string(), z.unknown()),
    }),
    task: z
      .looseObject({
        taskId: z.string().min(1),
        nodeId: z.string().min(1),
        assigneeId: z.string().min(1),
        status: z.string().min(1),
        comment: z.string().optional(),
      })
      .optional(),
    trail: z
      .array(
        z.looseObject({
          nodeId: z.string().min(1),
          actorId: z.string().min(1),
          action: z.string().min(1),
          at: timestamp,
          comment: z.string().optional(),
        }),
      )
      .optional(),
  })
  .refine((e) => e.type === 'approval.completed' || e.task !== undefined, { path: ['task'], message: 'task events carry the task' })
  .refine((e) => e.type !== 'approval.completed' || e.trail !== undefined, { path: ['trail'], message: 'approval.completed carries the trail' });

export type WebhookEvent = z.output<typeof webhookEventSchema>;
