import { z } from 'zod';
import { INSTANCE_STATUSES, TASK_STATUSES } from '../../engine/state';
import { cursor, formValues, key, nextCursor, pageLimit, timestamp } from './common';

/** Instances (SPEC §6): starting one, the instance view, its timeline, the instance lists. */

export const instanceId = key.describe('`approval:{flowCode}:{businessKey}` (URL-encoded in the path)');
export const instanceParams = z.object({ id: z.string().describe('the instance id, `approval:{flowCode}:{businessKey}`') });

const source = z.strictObject({ system: key, type: key, id: key }).meta({ id: 'Source', description: 'the ERP document the approval is for' });

export const startInstanceBody = z
  .strictObject({
    flowCode: z.string().min(1).max(64),
    businessKey: z.string().regex(/^[A-Za-z0-9._:/-]{1,128}$/, 'must be 1–128 characters of letters, digits, ".", "_", ":", "-" or "/"'),
    initiatorId: key,
    form: formValues,
    source,
    callbackUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('where the SPEC §8 webhooks go, signed with the starting app’s secret'),
    selectedApprovers: z.record(z.string(), z.array(key)).optional().describe('自选审批人: node id → the user ids chosen for an initiator_select node'),
  })
  .meta({ id: 'StartInstance' });
export type StartInstanceBody = z.infer<typeof startInstanceBody>;

export const startAnswer = z
  .object({ instanceId, flowVersion: z.number().int(), status: z.enum(INSTANCE_STATUSES) })
  .meta({ id: 'StartedInstance', description: 'the instance; 201 when this call started it, 200 when the same payload was started before' });

const task = z
  .object({
    taskId: z.string(),
    nodeId: z.string(),
    nodeName: z.string().optional(),
    assigneeId: z.string(),
    status: z.enum(TASK_STATUSES),
    reason: z.string().optional().describe('why, when not a person’s approve / reject: dedupe, timeout, escalated, withdrawn, returned, departed …'),
    delegatedFrom: z.string().optional().describe('委托: the task was meant for this user'),
    substitutedFor: z.string().optional(),
    transferredFrom: z.string().optional().describe('the task this one took over (transfer, escalation, hand-over)'),
    signer: z
      .object({ position: z.enum(['before', 'after', 'parallel']), addedByTaskId: z.string(), addedBy: z.string() })
      .optional()
      .describe('加签: added by another task'),
    comment: z.string().optional(),
    createdAt: timestamp,
    completedAt: timestamp.optional(),
    actAt: timestamp.optional().describe('when the node’s timeout acts on it'),
    lastUrgedAt: timestamp.optional(),
  })
  .meta({ id: 'Task' });

export const instanceView = z
  .object({
    instanceId,
    flowCode: z.string(),
    flowName: z.string(),
    flowVersion: z.number().int(),
    businessKey: z.string(),
    status: z.enum(INSTANCE_STATUSES),
    initiatorId: z.string(),
    form: z.record(z.string(), z.unknown()),
    source: source.optional(),
    currentNodeIds: z.array(z.string()),
    returnedToInitiator: z.boolean().describe('waiting for `resubmit` (or `withdraw`)'),
    tasks: z.array(task),
    automaticOutcomes: z
      .array(z.object({ nodeId: z.string(), outcome: z.enum(['approved', 'rejected']), reason: z.enum(['no_approver', 'no_admin']) }))
      .describe('nodes that ended without a person’s action'),
    compensations: z
      .array(
        z.object({
          nodeId: z.string(),
          system: z.string(),
          operation: z.string(),
          status: z.enum(['registered', 'running', 'compensated', 'failed']),
          error: z.string().optional(),
        }),
      )
      .optional()
      .describe('the saga: each succeeded service node’s compensation'),
    createdAt: timestamp,
    completedAt: timestamp.optional(),
  })
  .meta({ id: 'InstanceView' });

export const timelineView = z
  .object({
    events: z.array(
      z
        .object({
          seq: z.number().int(),
          type: z.string(),
          at: timestamp,
          actorId: z.string().optional(),
          taskId: z.string().optional(),
          nodeId: z.string().optional(),
          data: z.record(z.string(), z.unknown()),
        })
        .meta({ id: 'TimelineEvent' }),
    ),
  })
  .meta({ id: 'Timeline' });

export const notificationList = z
  .object({
    items: z.array(
      z
        .object({
          kind: z.string().describe('reminder · urge · cc · escalated · handed_over · result'),
          recipientId: z.string(),
          taskId: z.string().optional(),
          title: z.string(),
          state: z
            .enum(['pending', 'sent', 'failed', 'skipped'])
            .describe('sent: DingTalk accepted the work notification; failed: for good, `lastError` says why'),
          attempts: z.number().int(),
          lastError: z.string().optional(),
          createdAt: timestamp,
          deliveredAt: timestamp.optional(),
        })
        .meta({ id: 'Notification' }),
    ),
  })
  .meta({ id: 'NotificationList' });

export const instanceListQuery = z
  .strictObject({
    sourceSystem: key.optional(),
    sourceType: key.optional(),
    sourceId: key.optional(),
    initiatorId: key.optional(),
    status: z.enum(INSTANCE_STATUSES).optional(),
    flowCode: key.optional(),
    limit: pageLimit(100, 20),
    cursor: cursor.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.sourceSystem === undefined && q.initiatorId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sourceSystem'], message: 'give sourceSystem (with sourceType and sourceId) or initiatorId' });
    }
    if (q.sourceType !== undefined && q.sourceSystem === undefined) ctx.addIssue({ code: 'custom', path: ['sourceType'], message: 'needs sourceSystem' });
    if (q.sourceId !== undefined && q.sourceType === undefined) ctx.addIssue({ code: 'custom', path: ['sourceId'], message: 'needs sourceType' });
  });

export const instancePage = z
  .object({
    items: z.array(
      z.object({
        instanceId,
        flowCode: z.string(),
        flowName: z.string(),
        flowVersion: z.number().int(),
        businessKey: z.string(),
        status: z.enum(INSTANCE_STATUSES),
        initiatorId: z.string(),
        source: source.optional(),
        currentNodeIds: z.array(z.string()),
        createdAt: timestamp,
        completedAt: timestamp.optional(),
      }),
    ),
    nextCursor,
  })
  .meta({ id: 'InstancePage' });

const approverOnRoute = z.object({
  userId: z.string(),
  delegatedFrom: z.string().optional(),
  substitutedFor: z.string().optional(),
  autoApproved: z.enum(['dedupe', 'initiator']).optional(),
});

export const instanceRoute = z
  .object({
    nodes: z.array(
      z.object({
        nodeId: z.string(),
        type: z.enum(['start', 'approval', 'condition', 'cc', 'service', 'parallel', 'join', 'end']),
        name: z.string().optional(),
        state: z.enum(['done', 'current', 'upcoming', 'not_reached']),
        mode: z.enum(['all', 'any', 'sequential', 'vote']).optional(),
        taskIds: z.array(z.string()).optional().describe('done and current approval nodes: their tasks, oldest first (see the instance view)'),
        approvers: z.array(approverOnRoute).optional().describe('upcoming approval nodes: whom the org gives today'),
        recipients: z.array(z.string()).optional().describe('upcoming cc nodes: whom it would notify'),
        whenEmpty: z.enum(['auto_approve', 'to_admin', 'reject']).optional(),
      }),
    ),
    people: z.record(z.string(), z.string()).describe('user id → name, for everyone the instance, its route and its timeline name'),
  })
  .meta({
    id: 'InstanceRoute',
    description: 'the instance’s route for its current form: what is done, what is current, what is to come and who would approve it',
  });

export const instanceForm = z
  .object({
    fields: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        type: z.enum(['string', 'number', 'boolean', 'date']),
        required: z.boolean(),
        value: z.unknown().optional(),
      }),
    ),
  })
  .meta({ id: 'InstanceForm', description: 'the form with the labels and types of the instance’s flow version' });
