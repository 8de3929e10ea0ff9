import { z } from 'zod';
import { ACTION_TYPES, type ActionType } from '../engine/actions';

/** Request bodies of SPEC §6, validated at the edge. */

const key = z.string().min(1).max(128);

export const startInstanceBody = z.strictObject({
  flowCode: z.string().min(1).max(64),
  businessKey: z.string().regex(/^[A-Za-z0-9._:/-]{1,128}$/, 'must be 1–128 characters of letters, digits, ".", "_", ":", "-" or "/"'),
  initiatorId: key,
  form: z.record(z.string(), z.unknown()),
  source: z.strictObject({ system: key, type: key, id: key }),
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  selectedApprovers: z.record(z.string(), z.array(key)).optional(),
});
export type StartInstanceBody = z.infer<typeof startInstanceBody>;

const REQUIRED_BY_TYPE: Partial<Record<ActionType, Array<'toUserId' | 'signers' | 'position' | 'targetNodeId' | 'comment'>>> = {
  transfer: ['toUserId'],
  add_signer: ['signers', 'position'],
  return: ['targetNodeId'],
  comment: ['comment'],
};

export const actionBody = z
  .strictObject({
    type: z.enum(ACTION_TYPES),
    actionId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 characters of letters, digits, ".", "_", ":" or "-"'),
    /** Required on ERP calls: the user the app acts for (needs the `act_for` permission). */
    actorId: key,
    taskId: key.optional(),
    comment: z.string().min(1).max(2000).optional(),
    toUserId: key.optional(),
    signers: z.array(key).min(1).max(20).optional(),
    position: z.enum(['before', 'after', 'parallel']).optional(),
    targetNodeId: key.optional(),
    form: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((body, ctx) => {
    for (const field of REQUIRED_BY_TYPE[body.type] ?? []) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required for "${body.type}"` });
    }
    if (body.form !== undefined && body.type !== 'resubmit') ctx.addIssue({ code: 'custom', path: ['form'], message: 'only "resubmit" takes a form' });
  });
export type ActionBody = z.infer<typeof actionBody>;

const orgId = z.string().min(1).max(64);

export const syncUsersBody = z
  .strictObject({
    mode: z.enum(['full', 'incremental']),
    users: z
      .array(
        z.strictObject({
          id: orgId,
          name: z.string().min(1).max(128),
          mobile: z.string().max(32).optional(),
          email: z.email().optional(),
          deptIds: z.array(orgId),
          managerId: orgId.optional(),
          title: z.string().max(128).optional(),
          roles: z.array(z.string().min(1).max(64)).optional(),
          dingtalkUserId: z.string().max(128).optional(),
          erpUserId: z.string().max(128).optional(),
        }),
      )
      .max(10_000),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.users.forEach((u, i) => {
      if (seen.has(u.id)) ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message: `duplicate user id "${u.id}"` });
      seen.add(u.id);
    });
  });

export const previewBody = z.strictObject({
  initiatorId: key,
  form: z.record(z.string(), z.unknown()),
  selectedApprovers: z.record(z.string(), z.array(key)).optional(),
});
export type PreviewBody = z.infer<typeof previewBody>;

/** Ops: run the failed compensations again. `requestId` makes a repeat harmless. */
export const compensationRetryBody = z.strictObject({ requestId: z.string().min(1).max(128) });
