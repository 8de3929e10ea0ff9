import { createDelegation, DelegationRefusedError, type Delegation, type DelegationRefusal } from '../../db/delegations';
import type { ApiDependencies } from '../context';
import type { ErrorCode } from '../error-codes';
import { ApiError } from '../errors';
import type { CreateDelegationBody } from '../schemas/delegations';

const REFUSAL_CODES: Record<DelegationRefusal, ErrorCode> = {
  SELF_DELEGATION: 'SELF_DELEGATION',
  UNKNOWN_USER: 'UNKNOWN_USER',
  INVALID_PERIOD: 'VALIDATION_FAILED',
  DELEGATION_OVERLAP: 'DELEGATION_OVERLAP',
};

/** 委托 (SPEC §5): records a delegation; one the org or the delegator's other delegations rule out answers why. */
export async function recordDelegation(deps: ApiDependencies, body: CreateDelegationBody): Promise<Delegation> {
  try {
    return await createDelegation(deps.db, { ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) });
  } catch (err) {
    if (!(err instanceof DelegationRefusedError)) throw err;
    throw new ApiError(REFUSAL_CODES[err.reason], err.message);
  }
}
