import { findDraft, publishDraft, saveDraft } from '../../db/definitions';
import type { DefinitionProblem } from '../../engine/definition-errors';
import type { FlowDefinition } from '../../engine/dsl';
import { parseDefinitionForPublish, parseDefinitionShape, type ParseResult } from '../../engine/parse-definition';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import { serviceNodeProblems } from './service-node-checks';

export function invalidDefinition(problems: DefinitionProblem[]): ApiError {
  return new ApiError('INVALID_DEFINITION', `the definition has ${problems.length} problem(s)`, problems);
}

export const flowNotFound = (code: string) => new ApiError('FLOW_NOT_FOUND', `no flow "${code}"`);

/** Creates or replaces a flow's draft: any document of the DSL's shape (the graph is checked at publish). */
export async function saveDefinitionDraft(deps: ApiDependencies, document: unknown) {
  const parsed = parseDefinitionShape(document);
  if (!parsed.ok) throw invalidDefinition(parsed.problems);
  const saved = await saveDraft(deps.db, parsed.definition);
  return {
    created: saved.created,
    draft: { code: parsed.definition.code, name: parsed.definition.name, latestVersion: saved.latestVersion, draft: parsed.definition },
  };
}

/**
 * What publishing checks of a definition: the whole of SPEC §4's validation, then every service
 * node naming a registered ERP operation. Publish and `POST /definitions/validate` both ask this.
 */
export async function checkForPublish(deps: ApiDependencies, document: unknown): Promise<ParseResult> {
  const parsed = parseDefinitionForPublish(document);
  if (!parsed.ok) return parsed;
  const serviceProblems = await serviceNodeProblems(deps.db, parsed.definition);
  return serviceProblems.length > 0 ? { ok: false, problems: serviceProblems } : parsed;
}

/** The definition, if publishing would take it; else 422 INVALID_DEFINITION with its problems. */
export async function publishableDefinition(deps: ApiDependencies, document: unknown): Promise<FlowDefinition> {
  const checked = await checkForPublish(deps, document);
  if (!checked.ok) throw invalidDefinition(checked.problems);
  return checked.definition;
}

/** Publishes the draft as an immutable version n+1 (an unchanged draft answers the latest version). */
export async function publishDefinition(deps: ApiDependencies, code: string): Promise<{ version: number; created: boolean }> {
  const draft = await findDraft(deps.db, code);
  if (!draft) throw flowNotFound(code);
  return publishDraft(deps.db, code, await publishableDefinition(deps, draft.draft));
}
