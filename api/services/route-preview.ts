import { resolveApprovers } from '../../db/resolve-approvers';
import type { Assignment } from '../../engine/assignment';
import type { FlowDefinition } from '../../engine/dsl';
import { plannedRoute, previewLookups, previewRoute, type PreviewNode } from '../../engine/preview';
import type { ApiDependencies } from '../context';
import type { PreviewBody } from '../schemas/definitions';
import { publishableDefinition } from './definition-publishing';
import { assertValidForm, isActiveUser, latestPublished, unknownInitiator } from './flow-checks';

export interface RoutePreview {
  flowCode: string;
  flowVersion: number;
  nodes: PreviewNode[];
}

/**
 * The route a new instance of `definition` would take for this initiator and form, with the
 * approvers the org gives today — the engine's branch choice and the workflow's own lookups,
 * without starting anything.
 */
async function previewNodes(deps: ApiDependencies, definition: FlowDefinition, body: PreviewBody): Promise<PreviewNode[]> {
  assertValidForm(definition, body.form);
  if (!(await isActiveUser(deps, body.initiatorId))) throw unknownInitiator(body.initiatorId);
  const route = plannedRoute(definition, body.form);
  const lookups = previewLookups(route, {
    instanceId: `preview:${definition.code}`,
    flowCode: definition.code,
    initiatorId: body.initiatorId,
    ...(body.selectedApprovers ? { selectedApprovers: body.selectedApprovers } : {}),
  });
  const answers = new Map<string, Assignment[]>();
  for (const { nodeId, request } of lookups) answers.set(nodeId, await resolveApprovers(deps.db, request));
  return previewRoute(route, body.initiatorId, answers);
}

/** `POST /definitions/{code}/preview`: the route of the latest published version. */
export async function previewInstanceRoute(deps: ApiDependencies, flowCode: string, body: PreviewBody): Promise<RoutePreview> {
  const published = await latestPublished(deps, flowCode);
  return { flowCode, flowVersion: published.version, nodes: await previewNodes(deps, published.definition, body) };
}

/** `POST /definitions/preview`: the route of a definition not saved yet, if publishing would take it (else 422). */
export async function previewDraftRoute(deps: ApiDependencies, document: unknown, body: PreviewBody): Promise<{ flowCode: string; nodes: PreviewNode[] }> {
  const definition = await publishableDefinition(deps, document);
  return { flowCode: definition.code, nodes: await previewNodes(deps, definition, body) };
}
