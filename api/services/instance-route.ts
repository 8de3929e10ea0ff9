import { findVersion } from '../../db/definitions';
import { namesOf } from '../../db/people';
import { resolveApprovers } from '../../db/resolve-approvers';
import type { Assignment } from '../../engine/assignment';
import type { FlowDefinition } from '../../engine/dsl';
import { routeStates } from '../../engine/instance-route';
import type { InstanceView, TimelineView } from '../../engine/instance-view';
import { previewLookups, previewRoute } from '../../engine/preview';
import type { ApiDependencies } from '../context';
import type { z } from 'zod';
import type { instanceForm, instanceRoute } from '../schemas/instances';

type InstanceRoute = z.input<typeof instanceRoute>;
type InstanceForm = z.input<typeof instanceForm>;

async function definitionOf(deps: ApiDependencies, view: InstanceView): Promise<FlowDefinition> {
  const version = await findVersion(deps.db, view.flowCode, view.flowVersion);
  if (!version) throw new Error(`instance ${view.instanceId} runs ${view.flowCode} v${view.flowVersion}, which is not stored`);
  return version.definition;
}

/**
 * The instance's route (审批流程) for its page: done and current nodes with their tasks; the nodes to
 * come with the approvers the org gives today, looked up as the route preview does (the engine's
 * own branch choice and lookups) — and the names of everyone involved.
 */
export async function routeOfInstance(deps: ApiDependencies, view: InstanceView, timeline: TimelineView): Promise<InstanceRoute> {
  const steps = routeStates(await definitionOf(deps, view), view, timeline.events);
  const upcoming = steps.filter((s) => s.state === 'upcoming').map((s) => s.node);
  const answers = new Map<string, Assignment[]>();
  for (const { nodeId, request } of previewLookups(upcoming, { instanceId: view.instanceId, flowCode: view.flowCode, initiatorId: view.initiatorId })) {
    answers.set(nodeId, await resolveApprovers(deps.db, request));
  }
  const previews = new Map(previewRoute(upcoming, view.initiatorId, answers).map((p) => [p.nodeId, p]));
  const ccSent = new Map<string, string[]>();
  for (const e of timeline.events) if (e.type === 'cc_sent' && e.nodeId) ccSent.set(e.nodeId, idsIn(e.data.recipients));
  const nodes = steps.map(({ node, state }) => {
    const base = { nodeId: node.id, type: node.type, ...(node.name ? { name: node.name } : {}), state };
    const preview = previews.get(node.id);
    if (state === 'upcoming' && preview) return { ...preview, ...base };
    if (node.type === 'cc' && ccSent.has(node.id)) return { ...base, recipients: ccSent.get(node.id)! };
    if (node.type !== 'approval') return base;
    return { ...base, mode: node.mode, taskIds: view.tasks.filter((t) => t.nodeId === node.id).map((t) => t.taskId) };
  });
  const ids = new Set<string>([view.initiatorId]);
  for (const t of view.tasks) for (const id of [t.assigneeId, t.delegatedFrom, t.substitutedFor, t.signer?.addedBy]) if (id) ids.add(id);
  for (const e of timeline.events)
    for (const id of [e.actorId, ...idsIn(e.data.recipients), ...idsIn(e.data.signers), ...idsIn([e.data.toUserId])]) if (id) ids.add(id);
  for (const p of previews.values()) for (const id of [...(p.approvers ?? []).map((a) => a.userId), ...(p.recipients ?? [])]) ids.add(id);
  return { nodes, people: Object.fromEntries(await namesOf(deps.db, ids)) };
}

/** The user ids an event's data names (cc recipients, added signers, a transfer's target). */
const idsIn = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The form as the instance's flow version labels it: each field's label (its key without one), type and value. */
export async function formOfInstance(deps: ApiDependencies, view: InstanceView): Promise<InstanceForm> {
  const definition = await definitionOf(deps, view);
  return {
    fields: definition.form.fields.map((f) => ({
      key: f.key,
      label: f.label ?? f.key,
      type: f.type,
      required: f.required === true,
      ...(view.form[f.key] !== undefined ? { value: view.form[f.key] } : {}),
    })),
  };
}
