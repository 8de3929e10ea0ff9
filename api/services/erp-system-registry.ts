import { findErpSystem, upsertErpSystem, type ErpAuth, type ErpSystem } from '../../db/erp-systems';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { RegisterSystemBody } from '../schemas/systems';

/** ERP systems for `service` nodes and write-back (SPEC §8): credentials are sealed on the way in and never come out. */

export type RedactedSystem = Omit<ErpSystem, 'auth'> & { auth: { type: 'hmac'; appKey: string } | { type: 'bearer' } | { type: 'none' } };

function redactedAuth(auth: ErpAuth): RedactedSystem['auth'] {
  switch (auth.type) {
    case 'hmac':
      return { type: 'hmac', appKey: auth.appKey };
    case 'bearer':
      return { type: 'bearer' };
    case 'none':
      return { type: 'none' };
  }
}

/** The system with its secret parts left out: what an answer may show. */
export function redacted(system: ErpSystem): RedactedSystem {
  return { ...system, auth: redactedAuth(system.auth) };
}

export async function registerSystem(deps: ApiDependencies, body: RegisterSystemBody): Promise<{ created: boolean; system: RedactedSystem }> {
  const system: ErpSystem = body;
  const { created } = await upsertErpSystem(deps.db, deps.secretBox, system);
  return { created, system: redacted(system) };
}

export async function findRedactedSystem(deps: ApiDependencies, code: string): Promise<RedactedSystem> {
  const system = await findErpSystem(deps.db, deps.secretBox, code);
  if (!system) throw new ApiError('SYSTEM_NOT_FOUND', `no ERP system "${code}"`);
  return redacted(system);
}
