import { z } from 'zod';

/** The org push (SPEC §6): departments and users, `full` or `incremental`. */

const orgId = z.string().min(1).max(64);

/** A push names each department or user once. */
function idsOnce<L extends 'departments' | 'users'>(list: L) {
  return (body: Record<L, Array<{ id: string }>>, ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    body[list].forEach((entry, i) => {
      if (seen.has(entry.id))
        ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `duplicate ${list === 'users' ? 'user' : 'department'} id "${entry.id}"` });
      seen.add(entry.id);
    });
  };
}
const mode = z.enum(['full', 'incremental']).describe('`full` deactivates what the list leaves out');

export const syncDepartmentsBody = z
  .strictObject({
    mode,
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
  .superRefine(idsOnce('departments'))
  .meta({ id: 'DepartmentPush' });
export type SyncDepartmentsBody = z.infer<typeof syncDepartmentsBody>;

export const syncUsersBody = z
  .strictObject({
    mode,
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
          dingtalkUnionId: z.string().max(128).optional(),
          erpUserId: z.string().max(128).optional(),
        }),
      )
      .max(10_000),
  })
  .superRefine(idsOnce('users'))
  .meta({ id: 'UserPush' });
export type SyncUsersBody = z.infer<typeof syncUsersBody>;

export const departmentsPushed = z.object({ upserted: z.number().int(), deactivated: z.number().int() }).meta({ id: 'DepartmentsPushed' });

export const usersPushed = z
  .object({
    upserted: z.number().int(),
    deactivated: z.number().int(),
    bound: z
      .array(
        z.object({ id: z.string().describe('the id as pushed'), userId: z.string().describe('the existing user it was bound to (by mobile, else email)') }),
      )
      .describe('pushed users bound to existing users of another id'),
    handedOver: z
      .object({
        instances: z.number().int().describe('instances told that assignees of theirs left'),
        failed: z.number().int().describe('instances that could not be told now; the next full push tells them'),
      })
      .optional()
      .describe('full pushes: the open tasks of users no longer active go where their node’s onEmpty points'),
  })
  .meta({ id: 'UsersPushed' });

/** `POST /sync/dingtalk`: nothing to say yet; an object, so fields can come later. */
export const dingTalkOrgSyncBody = z.strictObject({}).meta({ id: 'DingTalkOrgSyncRequest' });

export const dingTalkOrgSyncStarted = z
  .object({
    workflowId: z.string().describe('the sync’s workflow id (Temporal Web UI: its progress and result)'),
    runId: z.string(),
    alreadyRunning: z.boolean().describe('a sync requested earlier was still running: this is that one, none was started'),
  })
  .meta({ id: 'DingTalkOrgSyncStarted' });

export const roleList = z
  .object({ items: z.array(z.object({ role: z.string(), userCount: z.number().int().describe('active users holding it') })) })
  .meta({ id: 'RoleList', description: 'the roles active users hold, by role' });

export const departmentList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        parentId: z.string().nullable().describe('null: a top department'),
        leaderIds: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'DepartmentList', description: 'active departments, by name' });
