import { findDraft, findVersion, listVersions } from '../../db/definitions';
import type { ApiDependencies } from '../context';
import { asJson } from '../contract/json';
import { route } from '../contract/route';
import { ApiError } from '../errors';
import {
  codeParams,
  definitionAnswer,
  flowDefinition,
  previewBody,
  publishedAnswer,
  routePreview,
  savedDraft,
  versionAnswer,
  versionParams,
} from '../schemas/definitions';
import { flowNotFound, publishDefinition, saveDefinitionDraft } from '../services/definition-publishing';
import { previewInstanceRoute } from '../services/route-preview';

/** Flow definitions (SPEC §4, §6): drafts and immutable versions, for flow admins; the route preview, for apps that start instances. */
export function definitionRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'saveDefinition',
        method: 'post',
        path: '/api/v1/definitions',
        tag: 'definitions',
        summary: 'Create or replace a flow’s draft',
        description: 'Any document of the DSL’s shape is saved; the graph rules are checked when it is published.',
        auth: 'admin',
        body: flowDefinition,
        bodyCheckedByHandler: true,
        responses: { 201: { description: 'a new flow', schema: savedDraft }, 200: { description: 'the draft replaced', schema: savedDraft } },
        errors: ['INVALID_DEFINITION'],
      },
      async ({ body }) => {
        const { created, draft } = await saveDefinitionDraft(deps, body);
        return { status: created ? 201 : 200, body: draft };
      },
    ),
    route(
      {
        operationId: 'publishDefinition',
        method: 'post',
        path: '/api/v1/definitions/{code}/publish',
        tag: 'definitions',
        summary: 'Validate the draft and publish it as version n+1',
        description: 'Running instances keep the version they started with. An unchanged draft answers the latest version (200).',
        auth: 'admin',
        params: codeParams,
        responses: {
          201: { description: 'published', schema: publishedAnswer },
          200: { description: 'unchanged since the latest version', schema: publishedAnswer },
        },
        errors: ['FLOW_NOT_FOUND', 'INVALID_DEFINITION'],
      },
      async ({ params }) => {
        const { created, version } = await publishDefinition(deps, params.code);
        return { status: created ? 201 : 200, body: { code: params.code, version } };
      },
    ),
    route(
      {
        operationId: 'getDefinition',
        method: 'get',
        path: '/api/v1/definitions/{code}',
        tag: 'definitions',
        summary: 'A flow’s draft and its published versions',
        auth: 'admin',
        params: codeParams,
        responses: { 200: { description: 'the flow', schema: definitionAnswer } },
        errors: ['FLOW_NOT_FOUND'],
      },
      async ({ params: { code } }) => {
        const draft = await findDraft(deps.db, code);
        if (!draft) throw flowNotFound(code);
        const versions = await listVersions(deps.db, code);
        return {
          status: 200,
          body: asJson({ code, name: draft.name, latestVersion: draft.latestVersion, draft: draft.draft, versions, updatedAt: draft.updatedAt }),
        };
      },
    ),
    route(
      {
        operationId: 'getDefinitionVersion',
        method: 'get',
        path: '/api/v1/definitions/{code}/versions/{version}',
        tag: 'definitions',
        summary: 'One published version',
        auth: 'admin',
        params: versionParams,
        responses: { 200: { description: 'the version', schema: versionAnswer } },
        errors: ['VERSION_NOT_FOUND'],
      },
      async ({ params: { code, version } }) => {
        const found = await findVersion(deps.db, code, Number(version));
        if (!found) throw new ApiError('VERSION_NOT_FOUND', `flow "${code}" has no version ${version}`);
        return { status: 200, body: asJson(found) };
      },
    ),
    route(
      {
        operationId: 'previewRoute',
        method: 'post',
        path: '/api/v1/definitions/{code}/preview',
        tag: 'definitions',
        summary: 'The route a new instance would take for this initiator and form (预测审批路径)',
        description: 'The engine’s branch choice and the workflow’s own approver lookups, on the org as it is now; nothing is started.',
        auth: 'start',
        params: codeParams,
        body: previewBody,
        responses: { 200: { description: 'the nodes and their approvers', schema: routePreview } },
        errors: ['FLOW_NOT_FOUND', 'UNKNOWN_USER'],
      },
      async ({ params, body }) => ({ status: 200, body: await previewInstanceRoute(deps, params.code, body) }),
    ),
  ];
}
