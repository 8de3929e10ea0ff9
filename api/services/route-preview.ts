import { createOrgActivities } from '../../activities/org/resolve-approvers';
import { findDraft, findLatestVersion } from '../../db/definitions';
import { findActiveUsers } from '../../db/org';
import type { Assignment } from '../../engine/assignment';
import { validateForm } from '../../engine/form';
import { plannedRoute, previewLookups, previewRoute, type PreviewNode } from '../../engine/preview';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { PreviewBody } from '../schemas';

export interface RoutePreview {
  flowCode: string;
  flowVersion: number;
  nodes: PreviewNode[];
}

/**
 * `POST /definitions/{code}/preview`: the route a new instance of the latest version would take
 * for this initiator and form, with the approvers the org gives today — the engine's branch
 * choice and the workflow's own lookups, without starting anything.
 */
export async function previewInstanceRoute(deps: ApiDependencies, flowCode: string, body: PreviewBody): Promise<RoutePreview> {
  const published = await findLatestVersion(deps.db, flowCode);
  if (!published) {
    const draft = await findDraft(deps.db, flowCode);
    throw new ApiError(404, 'FLOW_NOT_FOUND', draft ? `flow "${flowCode}" has no published version` : `no flow "${flowCode}"`);
  }
  const problems = validateForm(published.definition.form.fields, body.form);
  if (problems.length > 0) throw new ApiError(400, 'VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  if ((await findActiveUsers(deps.db, [body.initiatorId])).size === 0) {
    throw new ApiError(422, 'UNKNOWN_USER', `initiatorId "${body.initiatorId}" is not an active user`, [{ field: 'initiatorId', message: 'unknown or inactive user' }]);
  }
  const route = plannedRoute(published.definition, body.form);
  const lookups = previewLookups(route, {
    instanceId: `preview:${flowCode}`,
    flowCode,
    initiatorId: body.initiatorId,
    ...(body.selectedApprovers ? { selectedApprovers: body.selectedApprovers } : {}),
  });
  const { resolveApprovers } = createOrgActivities(deps.db);
  const answers = new Map<string, Assignment[]>();
  for (const { nodeId, request } of lookups) answers.set(nodeId, await resolveApprovers(request));
  return { flowCode, flowVersion: published.version, nodes: previewRoute(route, body.initiatorId, answers) };
}
