import { findDraft, findVersion, listVersions } from '../../db/definitions';
import { asJson } from '../contract/json';
import { createdOrFound, createdOrOk, ok, okWith, routesOf, type AnyRoute } from '../contract/route';
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

const route = routesOf('definitions');

/** Flow definitions (SPEC §4, §6): drafts and immutable versions, for flow admins; the route preview, for apps that start instances. */
export const definitionRoutes: AnyRoute[] = [
  route(
    { operationId: 'getDefinition', method: 'get', path: '/api/v1/definitions/{code}', auth: 'admin', params: codeParams },
    { summary: 'A flow’s draft and its published versions', responses: okWith('the flow', definitionAnswer), errors: ['FLOW_NOT_FOUND'] },
    async ({ params: { code }, deps }) => {
      const draft = await findDraft(deps.db, code);
      if (!draft) throw flowNotFound(code);
      const versions = await listVersions(deps.db, code);
      return ok(asJson({ code, name: draft.name, latestVersion: draft.latestVersion, draft: draft.draft, versions, updatedAt: draft.updatedAt }));
    },
  ),
  route(
    { operationId: 'getDefinitionVersion', method: 'get', path: '/api/v1/definitions/{code}/versions/{version}', auth: 'admin', params: versionParams },
    { summary: 'One published version', responses: okWith('the version', versionAnswer), errors: ['VERSION_NOT_FOUND'] },
    async ({ params: { code, version }, deps }) => {
      const found = await findVersion(deps.db, code, Number(version));
      if (!found) throw new ApiError('VERSION_NOT_FOUND', `flow "${code}" has no version ${version}`);
      return ok(asJson(found));
    },
  ),
  route(
    { operationId: 'saveDefinition', method: 'post', path: '/api/v1/definitions', auth: 'admin', body: flowDefinition, bodyCheckedByHandler: true },
    {
      summary: 'Create or replace a flow’s draft',
      description: 'Any document of the DSL’s shape is saved; the graph rules are checked when it is published.',
      responses: createdOrFound(savedDraft, 'a new flow', 'the draft replaced'),
      errors: ['INVALID_DEFINITION'],
    },
    async ({ body, deps }) => {
      const { created, draft } = await saveDefinitionDraft(deps, body);
      return createdOrOk(created, draft);
    },
  ),
  route(
    { operationId: 'publishDefinition', method: 'post', path: '/api/v1/definitions/{code}/publish', auth: 'admin', params: codeParams },
    {
      summary: 'Validate the draft and publish it as version n+1',
      description: 'Running instances keep the version they started with. An unchanged draft answers the latest version (200).',
      responses: createdOrFound(publishedAnswer, 'published', 'unchanged since the latest version'),
      errors: ['FLOW_NOT_FOUND', 'INVALID_DEFINITION'],
    },
    async ({ params, deps }) => {
      const { created, version } = await publishDefinition(deps, params.code);
      return createdOrOk(created, { code: params.code, version });
    },
  ),
  route(
    { operationId: 'previewRoute', method: 'post', path: '/api/v1/definitions/{code}/preview', auth: 'start', params: codeParams, body: previewBody },
    {
      summary: 'The route a new instance would take for this initiator and form (预测审批路径)',
      description: 'The engine’s branch choice and the workflow’s own approver lookups, on the org as it is now; nothing is started.',
      responses: okWith('the nodes and their approvers', routePreview),
      errors: ['FLOW_NOT_FOUND', 'UNKNOWN_USER'],
    },
    async ({ params, body, deps }) => ok(await previewInstanceRoute(deps, params.code, body)),
  ),
];
