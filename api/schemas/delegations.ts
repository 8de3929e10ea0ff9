import { z } from 'zod';
import { instant, timestamp } from './common';

/** 委托 (SPEC §5): a user's tasks go to a delegate for a period. */

const orgId = z.string().min(1).max(64);

export const createDelegationBody = z
  .strictObject({
    delegatorId: orgId,
    delegateId: orgId,
    startsAt: instant,
    endsAt: instant,
    flowCodes: z
      .array(z.string().min(1).max(64))
      .min(1, 'give at least one flow code, or omit "flowCodes" to cover every flow')
      .max(100)
      .optional()
      .describe('the flows it covers; omitted covers every flow'),
    reason: z.string().max(500).optional(),
  })
  .refine((d) => Date.parse(d.endsAt) > Date.parse(d.startsAt), { message: 'must be after startsAt', path: ['endsAt'] })
  .meta({ id: 'NewDelegation' });
export type CreateDelegationBody = z.infer<typeof createDelegationBody>;

export const listDelegationsQuery = z.strictObject({ delegatorId: orgId.optional() });

export const delegationParams = z.object({ id: z.string().min(1).max(128) });

export const delegation = z
  .object({
    id: z.string(),
    delegatorId: z.string(),
    delegateId: z.string(),
    startsAt: timestamp,
    endsAt: timestamp,
    flowCodes: z.array(z.string()).nullable().describe('null: every flow'),
    reason: z.string().nullable(),
    createdAt: timestamp,
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'Delegation' });

export const delegationList = z.object({ items: z.array(delegation) }).meta({ id: 'DelegationList' });

export const revokedDelegation = z.object({ id: z.string(), revokedAt: timestamp }).meta({ id: 'RevokedDelegation' });
