import { eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { APPROVAL_ADMIN_ROLE } from './approver-sources';
import { instances } from './schema';

/**
 * Whether the user takes part in the instance as the database knows it (SPEC §7): an assignee of
 * any of its tasks now or before (a transfer keeps the old task), the delegator a task was
 * delegated from, a cc recipient, an admin of its flow version, or an approval admin.
 */
export async function takesPartInInstance(db: Db, instance: { instanceId: string; flowCode: string; flowVersion: number }, userId: string): Promise<boolean> {
  const rows = await db.execute<{ one: number }>(sql`
    select 1 as one from tasks
      where instance_id = ${instance.instanceId} and (assignee_id = ${userId} or delegated_from = ${userId})
    union all
    select 1 from notifications where instance_id = ${instance.instanceId} and recipient_id = ${userId} and kind = 'cc'
    union all
    select 1 from flow_versions
      where code = ${instance.flowCode} and version = ${instance.flowVersion} and coalesce(definition->'admins', '[]'::jsonb) ? ${userId}
    union all
    select 1 from users where id = ${userId} and ${APPROVAL_ADMIN_ROLE} = any(roles)
    limit 1`);
  return rows.length > 0;
}

/** The app that started the instance, as projected; undefined when not projected (yet) or projected before it was kept. */
export async function projectedStarterApp(db: Db, instanceId: string): Promise<string | undefined> {
  const [row] = await db.select({ appKey: instances.appKey }).from(instances).where(eq(instances.instanceId, instanceId));
  return row?.appKey ?? undefined;
}

/** An admin of the instance's flow version (its DSL `admins`) or of every flow (role `approval_admin`): may terminate and reassign. */
export async function isFlowAdmin(db: Db, instance: { flowCode: string; flowVersion: number }, userId: string): Promise<boolean> {
  const rows = await db.execute<{ one: number }>(sql`
    select 1 as one from flow_versions
      where code = ${instance.flowCode} and version = ${instance.flowVersion} and coalesce(definition->'admins', '[]'::jsonb) ? ${userId}
    union all
    select 1 from users where id = ${userId} and active and ${APPROVAL_ADMIN_ROLE} = any(roles)
    limit 1`);
  return rows.length > 0;
}

/** An active user with role `approval_admin`: admin of every flow, designer of every flow and of new ones. */
export async function isApprovalAdmin(db: Db, userId: string): Promise<boolean> {
  const rows = await db.execute<{ one: number }>(sql`select 1 as one from users where id = ${userId} and active and ${APPROVAL_ADMIN_ROLE} = any(roles)`);
  return rows.length > 0;
}
