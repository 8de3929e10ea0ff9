import { findDraft, publishDraft, saveDraft } from '../../db/definitions';
import type { DefinitionProblem } from '../../engine/definition-errors';
import { parseDefinitionForPublish, parseDefinitionShape } from '../../engine/parse-definition';
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
 * Publishes the draft as an immutable version n+1 (an unchanged draft answers the latest version):
 * the whole of SPEC §4's validation, and every service node naming a registered ERP operation.
 */
export async function publishDefinition(deps: ApiDependencies, code: string): Promise<{ version: number; created: boolean }> {
  const draft = await findDraft(deps.db, code);
  if (!draft) throw flowNotFound(code);
  const parsed = parseDefinitionForPublish(draft.draft);
  if (!parsed.ok) throw invalidDefinition(parsed.problems);
  const serviceProblems = await serviceNodeProblems(deps.db, parsed.definition);
  if (serviceProblems.length > 0) throw invalidDefinition(serviceProblems);
  return publishDraft(deps.db, code, parsed.definition);
}
