import { randomUUID } from 'node:crypto';
import { and, arrayOverlaps, asc, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Assignment } from '../engine/assignment';
import type { Db, DbOrTx } from './client';
import { delegations, users } from './schema';

export type Delegation = typeof delegations.$inferSelect;

export interface NewDelegation {
  delegatorId: string;
  delegateId: string;
  startsAt: Date;
  endsAt: Date;
  /** The flows it covers; omitted covers every flow. */
  flowCodes?: string[];
  reason?: string;
}

export type DelegationRefusal = 'SELF_DELEGATION' | 'UNKNOWN_USER' | 'INVALID_PERIOD' | 'DELEGATION_OVERLAP';

export class DelegationRefusedError extends Error {
  constructor(
    readonly reason: DelegationRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'DelegationRefusedError';
  }
}

/** Records a delegation, or throws `DelegationRefusedError` having written nothing. */
export async function createDelegation(db: Db, input: NewDelegation): Promise<Delegation> {
  if (input.delegatorId === input.delegateId) throw new DelegationRefusedError('SELF_DELEGATION', 'a user cannot delegate to themself');
  if (input.endsAt.getTime() <= input.startsAt.getTime()) throw new DelegationRefusedError('INVALID_PERIOD', 'endsAt must be after startsAt');

  return db.transaction(async (tx) => {
    // Serialises creations per delegator so two overlapping ones cannot both pass the check.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`delegation:${input.delegatorId}`}))`);
    const known = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, [input.delegatorId, input.delegateId]), eq(users.active, true)));
    const missing = [input.delegatorId, input.delegateId].filter((id) => !known.some((u) => u.id === id));
    if (missing.length > 0) throw new DelegationRefusedError('UNKNOWN_USER', `no active user ${missing.map((id) => `"${id}"`).join(' or ')}`);

    const [clash] = await tx
      .select({ id: delegations.id })
      .from(delegations)
      .where(
        and(
          eq(delegations.delegatorId, input.delegatorId),
          isNull(delegations.revokedAt),
          lt(delegations.startsAt, input.endsAt),
          gt(delegations.endsAt, input.startsAt),
          input.flowCodes ? or(isNull(delegations.flowCodes), arrayOverlaps(delegations.flowCodes, input.flowCodes)) : undefined,
        ),
      )
      .limit(1);
    if (clash) {
      throw new DelegationRefusedError(
        'DELEGATION_OVERLAP',
        `delegation ${clash.id} by "${input.delegatorId}" already covers part of this period and these flows`,
      );
    }

    const [created] = await tx
      .insert(delegations)
      .values({ id: randomUUID(), ...input })
      .returning();
    return created!;
  });
}

/** Every delegation (revoked ones too, with `revokedAt`), optionally one delegator's, by start. */
export async function listDelegations(db: DbOrTx, delegatorId?: string): Promise<Delegation[]> {
  return db
    .select()
    .from(delegations)
    .where(delegatorId === undefined ? undefined : eq(delegations.delegatorId, delegatorId))
    .orderBy(asc(delegations.startsAt), asc(delegations.id));
}

/** Revokes a delegation; revoking it again keeps the first `revokedAt`. Undefined when there is no such delegation. */
export async function revokeDelegation(db: DbOrTx, id: string): Promise<{ id: string; revokedAt: Date } | undefined> {
  const [row] = await db
    .update(delegations)
    .set({ revokedAt: sql`coalesce(${delegations.revokedAt}, now())` })
    .where(eq(delegations.id, id))
    .returning({ id: delegations.id, revokedAt: delegations.revokedAt });
  return row?.revokedAt ? { id: row.id, revokedAt: row.revokedAt } : undefined;
}

/**
 * Who stands in for whom at `at` in `flowCode`: delegator → delegate, for those of `userIds`
 * with a running, unrevoked delegation covering the flow whose delegate is an active user.
 */
export async function activeDelegations(db: DbOrTx, userIds: string[], flowCode: string, at: Date): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .select({ delegatorId: delegations.delegatorId, delegateId: delegations.delegateId })
    .from(delegations)
    .innerJoin(users, and(eq(users.id, delegations.delegateId), eq(users.active, true)))
    .where(
      and(
        inArray(delegations.delegatorId, userIds),
        isNull(delegations.revokedAt),
        lte(delegations.startsAt, at),
        gt(delegations.endsAt, at),
        or(isNull(delegations.flowCodes), sql`${flowCode} = any(${delegations.flowCodes})`),
      ),
    )
    .orderBy(asc(delegations.createdAt), asc(delegations.id));
  const byDelegator = new Map<string, string>();
  for (const row of rows) if (!byDelegator.has(row.delegatorId)) byDelegator.set(row.delegatorId, row.delegateId);
  return byDelegator;
}

/** Each assignee with a running delegation for the flow is replaced by the delegate — one hop, never a chain. */
export async function followDelegations(db: DbOrTx, assignments: Assignment[], flowCode: string, at: Date): Promise<Assignment[]> {
  const delegateOf = await activeDelegations(
    db,
    assignments.map((a) => a.userId),
    flowCode,
    at,
  );
  return assignments.map((a) => {
    const delegate = delegateOf.get(a.userId);
    return delegate === undefined ? a : { ...a, userId: delegate, delegatedFrom: a.userId };
  });
}
