import type { Db } from '../../db/client';
import { followDelegations } from '../../db/delegations';
import { findActiveUsers } from '../../db/org';
import type { Assignment } from '../../engine/assignment';
import { ApiError } from '../errors';

/**
 * The people a transfer or an add_signer names, as tasks will go to them: each must be an active
 * user, and one who delegated (委托) for this flow right now is replaced by their delegate. The
 * answer travels inside the update, so history holds it and replay never looks it up again.
 */
export async function resolveActionTargets(db: Db, flowCode: string, field: string, ids: string[]): Promise<Assignment[]> {
  const active = await findActiveUsers(db, ids);
  const unknown = ids.map((id, i) => ({ id, i })).filter(({ id }) => !active.has(id));
  if (unknown.length > 0) {
    throw new ApiError(
      'UNKNOWN_USER',
      `not active users: ${unknown.map((u) => u.id).join(', ')}`,
      unknown.map(({ i }) => ({ field: field === 'toUserId' ? field : `${field}.${i}`, message: 'unknown or inactive user' })),
    );
  }
  return followDelegations(
    db,
    ids.map((userId) => ({ userId })),
    flowCode,
    new Date(),
  );
}
