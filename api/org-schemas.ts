import { z } from 'zod';

/** Request bodies of the org side (SPEC §6 org push, §5 delegation), validated at the edge. */

const orgId = z.string().min(1).max(64);
const flowCode = z.string().min(1).max(64);
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, such as 2025-01-31T09:00:00+08:00' });

export const syncDepartmentsBody = z
  .strictObject({
    mode: z.enum(['full', 'incremental']),
    departments: z
      .array(
        z.strictObject({
          id: orgId,
          name: z.string().min(1).max(128),
          parentId: orgId.optional(),
          leaderIds: z.array(orgId).max(100).optional(),
        }),
      )
      .max(10_000),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.departments.forEach((d, i) => {
      if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['departments', i, 'id'], message: `duplicate department id "${d.id}"` });
      seen.add(d.id);
    });
  });

export const createDelegationBody = z
  .strictObject({
    delegatorId: orgId,
    delegateId: orgId,
    startsAt: instant,
    endsAt: instant,
    /** The flows it covers; omitted covers every flow. */
    flowCodes: z.array(flowCode).min(1, 'give at least one flow code, or omit "flowCodes" to cover every flow').max(100).optional(),
    reason: z.string().max(500).optional(),
  })
  .refine((d) => Date.parse(d.endsAt) > Date.parse(d.startsAt), { message: 'must be after startsAt', path: ['endsAt'] });
export type CreateDelegationBody = z.infer<typeof createDelegationBody>;

export const listDelegationsQuery = z.strictObject({ delegatorId: orgId.optional() });
