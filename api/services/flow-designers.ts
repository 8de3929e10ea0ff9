import { findDraft, isListedFlowAdmin, listFlows, type FlowSummary } from '../../db/definitions';
import { isApprovalAdmin } from '../../db/visibility';
import type { Viewer } from '../auth/viewer';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';

/**
 * Who may design flows. An app: with `admin`, which its route already asked. A user (their
 * session): an `approval_admin` designs every flow and creates new ones; a user in `admins` of a
 * flow's draft or of its latest version designs that flow.
 */

/** The `code` of a definition not checked yet, if it has a string one. */
export function codeOf(document: unknown): string | undefined {
  const code = (document as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Refuses (403 NOT_FLOW_ADMIN) a user who may not design flow `code`; without a code, or for one no flow has yet, only an approval admin may. */
export async function assertMayDesign(deps: ApiDependencies, viewer: Viewer, code: string | undefined): Promise<void> {
  if (viewer.kind === 'app') return;
  const userId = viewer.user.id;
  if (await isApprovalAdmin(deps.db, userId)) return;
  if (code !== undefined && (await isListedFlowAdmin(deps.db, userId, code))) return;
  const exists = code !== undefined && (await findDraft(deps.db, code)) !== undefined;
  throw new ApiError(
    'NOT_FLOW_ADMIN',
    exists ? `${userId} is not an admin of flow ${code}` : `only an approval_admin may create a flow${code !== undefined ? ` (${code})` : ''}`,
  );
}

/** The flows the viewer may design, by name. */
export async function listDesignableFlows(deps: ApiDependencies, viewer: Viewer): Promise<FlowSummary[]> {
  if (viewer.kind === 'app' || (await isApprovalAdmin(deps.db, viewer.user.id))) return listFlows(deps.db);
  return listFlows(deps.db, viewer.user.id);
}

/** Refuses a user who designs no flow at all (what the designer's other lists are for). */
export async function assertDesignsSomeFlow(deps: ApiDependencies, viewer: Viewer): Promise<void> {
  if (viewer.kind === 'app') return;
  const userId = viewer.user.id;
  if ((await isApprovalAdmin(deps.db, userId)) || (await isListedFlowAdmin(deps.db, userId))) return;
  throw new ApiError('NOT_FLOW_ADMIN', `${userId} designs no flow`);
}
