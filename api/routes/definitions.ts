import { Hono } from 'hono';
import { findDraft, findVersion, listVersions, publishDraft, saveDraft } from '../../db/definitions';
import { parseDefinitionForPublish, parseDefinitionShape } from '../../engine/parse-definition';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { previewBody } from '../schemas';
import { previewInstanceRoute } from '../services/route-preview';
import { serviceNodeProblems } from '../services/service-node-checks';
import { parseJson, validatedBody } from '../validation';
import type { DefinitionProblem } from '../../engine/definition-errors';

function invalidDefinition(problems: DefinitionProblem[]): ApiError {
  return new ApiError(422, 'INVALID_DEFINITION', `the definition has ${problems.length} problem(s)`, problems);
}

export function definitionRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps, 'admin'));

  routes.post('/', async (c) => {
    const parsed = parseDefinitionShape(parseJson(c.get('rawBody')));
    if (!parsed.ok) throw invalidDefinition(parsed.problems);
    const saved = await saveDraft(deps.db, parsed.definition);
    return c.json(
      { code: parsed.definition.code, name: parsed.definition.name, latestVersion: saved.latestVersion, draft: parsed.definition },
      saved.created ? 201 : 200,
    );
  });

  routes.post('/:code/publish', async (c) => {
    const code = c.req.param('code');
    const draft = await findDraft(deps.db, code);
    if (!draft) throw new ApiError(404, 'FLOW_NOT_FOUND', `no flow "${code}"`);
    const parsed = parseDefinitionForPublish(draft.draft);
    if (!parsed.ok) throw invalidDefinition(parsed.problems);
    const serviceProblems = await serviceNodeProblems(deps.db, parsed.definition);
    if (serviceProblems.length > 0) throw invalidDefinition(serviceProblems);
    const published = await publishDraft(deps.db, code, parsed.definition);
    return c.json({ code, version: published.version }, published.created ? 201 : 200);
  });

  routes.get('/:code', async (c) => {
    const code = c.req.param('code');
    const draft = await findDraft(deps.db, code);
    if (!draft) throw new ApiError(404, 'FLOW_NOT_FOUND', `no flow "${code}"`);
    const versions = await listVersions(deps.db, code);
    return c.json({ code, name: draft.name, latestVersion: draft.latestVersion, draft: draft.draft, versions, updatedAt: draft.updatedAt });
  });

  routes.get('/:code/versions/:version', async (c) => {
    const code = c.req.param('code');
    const raw = c.req.param('version');
    if (!/^[1-9]\d{0,8}$/.test(raw)) throw new ApiError(400, 'VALIDATION_FAILED', `version must be a positive integer, got "${raw}"`);
    const found = await findVersion(deps.db, code, Number(raw));
    if (!found) throw new ApiError(404, 'VERSION_NOT_FOUND', `flow "${code}" has no version ${raw}`);
    return c.json(found);
  });
  return routes;
}

/** Route preview: for apps that start instances, so it is mounted ahead of the admin-only routes. */
export function definitionPreviewRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.post('/:code/preview', requireApp(deps, 'start'), async (c) => {
    const body = validatedBody(c, previewBody);
    return c.json(await previewInstanceRoute(deps, c.req.param('code'), body));
  });
  return routes;
}
