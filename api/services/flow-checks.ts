import { findDraft, findLatestVersion, type PublishedVersion } from '../../db/definitions';
import { findActiveUsers } from '../../db/org';
import type { FlowDefinition, FormValues } from '../../engine/dsl';
import { validateForm } from '../../engine/form';
import type { ApiDependencies } from '../context';
import { ApiError, validationFailed } from '../errors';

/** Checks shared by starting an instance and previewing its route. */

export async function latestPublished(deps: ApiDependencies, flowCode: string): Promise<PublishedVersion> {
  const published = await findLatestVersion(deps.db, flowCode);
  if (published) return published;
  const draft = await findDraft(deps.db, flowCode);
  throw new ApiError('FLOW_NOT_FOUND', draft ? `flow "${flowCode}" has no published version` : `no flow "${flowCode}"`);
}

export function assertValidForm(definition: FlowDefinition, form: FormValues): void {
  const problems = validateForm(definition.form.fields, form);
  if (problems.length > 0) throw validationFailed(problems);
}

export async function isActiveUser(deps: ApiDependencies, userId: string): Promise<boolean> {
  return (await findActiveUsers(deps.db, [userId])).size > 0;
}

export function unknownInitiator(initiatorId: string): ApiError {
  return new ApiError('UNKNOWN_USER', `initiatorId "${initiatorId}" is not an active user`, [{ field: 'initiatorId', message: 'unknown or inactive user' }]);
}
