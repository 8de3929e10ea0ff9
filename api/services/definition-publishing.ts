import { DraftChanged, draftRevision, findDraft, publishDraft, saveDraft } from '../../db/definitions';
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

/** `If-Match: <revision>` (quoted as an ETag or not): the draft revision the caller read, for optimistic locking. */
export function revisionOf(ifMatch: string | undefined): string | undefined {
  const value = ifMatch
    ?.trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  return value ? value : undefined;
}

const draftChanged = (err: DraftChanged) =>
  new ApiError('DRAFT_CHANGED', `${err.message}: read it again (GET /definitions/${err.code}) and redo your change`, [
    { field: 'If-Match', message: err.current ? `the draft's revision is now ${draftRevision(err.current)}` : 'no draft to match' },
  ]);

async function unlessChanged<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw err instanceof DraftChanged ? draftChanged(err) : err;
  }
}

/**
 * Creates or replaces a flow's draft: any document of the DSL's shape (the graph is checked at
 * publish). With `expectedRevision` (If-Match) only if the draft is still that revision.
 */
export async function saveDefinitionDraft(deps: ApiDependencies, document: unknown, expectedRevision?: string) {
  const parsed = parseDefinitionShape(document);
  if (!parsed.ok) throw invalidDefinition(parsed.problems);
  const saved = await unlessChanged(saveDraft(deps.db, parsed.definition, expectedRevision));
  return {
    created: saved.created,
    draft: {
      code: parsed.definition.code,
      name: parsed.definition.name,
      latestVersion: saved.latestVersion,
      draft: parsed.definition,
      revision: draftRevision(saved.updatedAt),
    },
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

/**
 * Publishes the draft as an immutable version n+1 (an unchanged draft answers the latest version).
 * With `expectedRevision` (If-Match) only if the draft is still that revision; a draft saved while
 * this one was being checked is never published unchecked.
 */
export async function publishDefinition(deps: ApiDependencies, code: string, expectedRevision?: string): Promise<{ version: number; created: boolean }> {
  const draft = await findDraft(deps.db, code);
  if (!draft) throw flowNotFound(code);
  if (expectedRevision !== undefined && draftRevision(draft.updatedAt) !== expectedRevision) throw draftChanged(new DraftChanged(code, draft.updatedAt));
  return unlessChanged(publishDraft(deps.db, code, await publishableDefinition(deps, draft.draft), expectedRevision));
}
