import { draftRevision, findDraft, findVersion, listVersions } from '../../db/definitions';
import { asJson } from '../contract/json';
import { createdOrFound, createdOrOk, ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError, validationFailed } from '../errors';
import { fieldProblems } from '../request-body';
import {
  codeParams,
  definitionAnswer,
  definitionCheck,
  definitionList,
  draftPreviewBody,
  draftPreviewInput,
  draftRoutePreview,
  flowDefinition,
  previewBody,
  publishedAnswer,
  routePreview,
  savedDraft,
  versionAnswer,
  versionParams,
} from '../schemas/definitions';
import { checkForPublish, flowNotFound, publishDefinition, revisionOf, saveDefinitionDraft } from '../services/definition-publishing';
import { assertMayDesign, codeOf, listDesignableFlows } from '../services/flow-designers';
import { previewDraftRoute, previewInstanceRoute } from '../services/route-preview';

const route = routesOf('definitions');

const DESIGNER_ROUTE = 'Apps with `admin`; users who design the flow: an `approval_admin`, or one listed in `admins` of its draft or latest version.';
const IF_MATCH =
  'Optimistic locking: with an `If-Match` header naming the draft `revision` last read, a draft saved since by anyone else answers 409 `DRAFT_CHANGED` and nothing is written.';
const NEW_FLOW_RULE = 'A user needs `approval_admin` for a code no flow has yet.';

/** Flow definitions (SPEC §4, §6): drafts and immutable versions, for flow admins and the flow designer; the route preview, for apps that start instances. */
export const definitionRoutes: AnyRoute[] = [
  route(
    { operationId: 'listDefinitions', method: 'get', path: '/api/v1/definitions', auth: 'admin', sessions: true },
    {
      summary: 'The flows, with their latest version and whether the draft changed since',
      description: `${DESIGNER_ROUTE} A user sees only the flows they design.`,
      responses: okWith('the flows', definitionList),
    },
    async ({ viewer, deps }) => {
      const flows = await listDesignableFlows(deps, viewer);
      return ok({ items: flows.map((flow) => ({ ...flow, updatedAt: flow.updatedAt.toISOString(), publishedAt: flow.publishedAt?.toISOString() ?? null })) });
    },
  ),
  route(
    { operationId: 'getDefinition', method: 'get', path: '/api/v1/definitions/{code}', auth: 'admin', sessions: true, params: codeParams },
    {
      summary: 'A flow’s draft and its published versions',
      description: DESIGNER_ROUTE,
      responses: okWith('the flow', definitionAnswer),
      errors: ['FLOW_NOT_FOUND', 'NOT_FLOW_ADMIN'],
    },
    async ({ params: { code }, viewer, deps }) => {
      await assertMayDesign(deps, viewer, code);
      const draft = await findDraft(deps.db, code);
      if (!draft) throw flowNotFound(code);
      const versions = await listVersions(deps.db, code);
      return ok(
        asJson({
          code,
          name: draft.name,
          latestVersion: draft.latestVersion,
          draft: draft.draft,
          versions,
          updatedAt: draft.updatedAt,
          revision: draftRevision(draft.updatedAt),
        }),
      );
    },
  ),
  route(
    {
      operationId: 'getDefinitionVersion',
      method: 'get',
      path: '/api/v1/definitions/{code}/versions/{version}',
      auth: 'admin',
      sessions: true,
      params: versionParams,
    },
    {
      summary: 'One published version',
      description: DESIGNER_ROUTE,
      responses: okWith('the version', versionAnswer),
      errors: ['VERSION_NOT_FOUND', 'NOT_FLOW_ADMIN'],
    },
    async ({ params: { code, version }, viewer, deps }) => {
      await assertMayDesign(deps, viewer, code);
      const found = await findVersion(deps.db, code, Number(version));
      if (!found) throw new ApiError('VERSION_NOT_FOUND', `flow "${code}" has no version ${version}`);
      return ok(asJson(found));
    },
  ),
  route(
    {
      operationId: 'saveDefinition',
      method: 'post',
      path: '/api/v1/definitions',
      auth: 'admin',
      sessions: true,
      body: flowDefinition,
      bodyCheckedByHandler: true,
    },
    {
      summary: 'Create or replace a flow’s draft',
      description: `Any document of the DSL’s shape is saved; the graph rules are checked when it is published. ${IF_MATCH} ${DESIGNER_ROUTE} ${NEW_FLOW_RULE}`,
      responses: createdOrFound(savedDraft, 'a new flow', 'the draft replaced'),
      errors: ['INVALID_DEFINITION', 'NOT_FLOW_ADMIN', 'DRAFT_CHANGED'],
    },
    async ({ body, viewer, deps, c }) => {
      await assertMayDesign(deps, viewer, codeOf(body));
      const { created, draft } = await saveDefinitionDraft(deps, body, revisionOf(c.req.header('if-match')));
      return createdOrOk(created, draft);
    },
  ),
  route(
    { operationId: 'publishDefinition', method: 'post', path: '/api/v1/definitions/{code}/publish', auth: 'admin', sessions: true, params: codeParams },
    {
      summary: 'Validate the draft and publish it as version n+1',
      description: `Running instances keep the version they started with. An unchanged draft answers the latest version (200). ${IF_MATCH} ${DESIGNER_ROUTE}`,
      responses: createdOrFound(publishedAnswer, 'published', 'unchanged since the latest version'),
      errors: ['FLOW_NOT_FOUND', 'INVALID_DEFINITION', 'NOT_FLOW_ADMIN', 'DRAFT_CHANGED'],
    },
    async ({ params, viewer, deps, c }) => {
      await assertMayDesign(deps, viewer, params.code);
      const { created, version } = await publishDefinition(deps, params.code, revisionOf(c.req.header('if-match')));
      return createdOrOk(created, { code: params.code, version });
    },
  ),
  route(
    {
      operationId: 'validateDefinition',
      method: 'post',
      path: '/api/v1/definitions/validate',
      auth: 'admin',
      sessions: true,
      body: flowDefinition,
      bodyCheckedByHandler: true,
    },
    {
      summary: 'Check a definition as publishing would, without saving it',
      description: `The problems are those publishing this definition would answer as 422 INVALID_DEFINITION. Nothing is written. ${DESIGNER_ROUTE} ${NEW_FLOW_RULE}`,
      responses: okWith('valid, or its problems', definitionCheck),
      errors: ['NOT_FLOW_ADMIN'],
    },
    async ({ body, viewer, deps }) => {
      await assertMayDesign(deps, viewer, codeOf(body));
      const checked = await checkForPublish(deps, body);
      return ok(checked.ok ? { valid: true, problems: [] } : { valid: false, problems: checked.problems });
    },
  ),
  route(
    {
      operationId: 'previewDraftRoute',
      method: 'post',
      path: '/api/v1/definitions/preview',
      auth: 'admin',
      sessions: true,
      body: draftPreviewBody,
      bodyCheckedByHandler: true,
    },
    {
      summary: 'The route an instance of a definition not saved yet would take for this initiator and form',
      description: `As \`POST /definitions/{code}/preview\`, of the definition in the body; one publishing would refuse answers 422 INVALID_DEFINITION. Nothing is written. ${DESIGNER_ROUTE} ${NEW_FLOW_RULE}`,
      responses: okWith('the nodes and their approvers', draftRoutePreview),
      errors: ['INVALID_DEFINITION', 'UNKNOWN_USER', 'NOT_FLOW_ADMIN'],
    },
    async ({ body, viewer, deps }) => {
      await assertMayDesign(deps, viewer, codeOf((body as { definition?: unknown } | null)?.definition));
      const input = draftPreviewInput.safeParse(body);
      if (!input.success) throw validationFailed(fieldProblems(input.error.issues));
      const { definition, ...preview } = input.data;
      return ok(await previewDraftRoute(deps, definition, preview));
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
