import { resolveApprovers } from '../../db/resolve-approvers';
import type { Assignment } from '../../engine/assignment';
import { plannedRoute, previewLookups, previewRoute, type PreviewNode } from '../../engine/preview';
import type { ApiDependencies } from '../context';
import type { PreviewBody } from '../schemas/definitions';
import { assertValidForm, isActiveUser, latestPublished, unknownInitiator } from './flow-checks';

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
  const published = await latestPublished(deps, flowCode);
  assertValidForm(published.definition, body.form);
  if (!(await isActiveUser(deps, body.initiatorId))) throw unknownInitiator(body.initiatorId);
  const route = plannedRoute(published.definition, body.form);
  const lookups = previewLookups(route, {
    instanceId: `preview:${flowCode}`,
    flowCode,
    initiatorId: body.initiatorId,
    ...(body.selectedApprovers ? { selectedApprovers: body.selectedApprovers } : {}),
  });
  const answers = new Map<string, Assignment[]>();
  for (const { nodeId, request } of lookups) answers.set(nodeId, await resolveApprovers(deps.db, request));
  return { flowCode, flowVersion: published.version, nodes: previewRoute(route, body.initiatorId, answers) };
}
