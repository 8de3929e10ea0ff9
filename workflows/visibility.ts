import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { currentAssignees, currentNodeIds, type InstanceState } from '../engine/instance';
import { searchAttributes } from '../temporal-config';

/**
 * What ops see of an instance in the Web UI: its search attributes (status and current
 * assignees, upserted only when they change: each upsert is a history event) and its current
 * details (metadata served by a query, so they are brought up to date every time).
 */
export class Visibility {
  private published: string;
  private publishedRevision = -1;

  /**
   * @param settled search attributes wait until the commands of a change have run (instances
   *   started before `postgres-projection` published them for every passing state).
   */
  constructor(
    state: InstanceState,
    readonly settled: boolean,
  ) {
    // The start set status `running` and no assignees (as the fresh state has); continue-as-new carried the last values.
    this.published = settled ? fingerprintOf(state) : '';
  }

  /** Publishes each revision once; when `settled`, only once the commands it caused have run. */
  update(state: InstanceState, revision: number, commandsWaiting: boolean): void {
    if (revision === this.publishedRevision || (this.settled && commandsWaiting)) return;
    this.publishedRevision = revision;
    this.publish(state);
  }

  isBehind(revision: number): boolean {
    return revision !== this.publishedRevision;
  }

  private publish(state: InstanceState): void {
    setCurrentDetails(currentDetails(state));
    const fingerprint = fingerprintOf(state);
    if (fingerprint === this.published) return;
    this.published = fingerprint;
    upsertSearchAttributes([
      { key: searchAttributes.status, value: state.status },
      { key: searchAttributes.assignees, value: currentAssignees(state) },
    ]);
  }
}

function fingerprintOf(state: InstanceState): string {
  return JSON.stringify([state.status, currentAssignees(state)]);
}

function currentDetails(state: InstanceState): string {
  if (state.status !== 'running') return `**${state.status}** at ${state.completedAt ?? ''}`;
  if (state.awaitingResubmit) return `**running** — returned to the initiator ${state.initiatorId}, waiting for resubmit`;
  const nodes = currentNodeIds(state)
    .map((id) => state.definition.nodes.find((n) => n.id === id))
    .map((n) => (n ? `${n.name ?? n.id} (\`${n.id}\`)` : ''))
    .join(', ');
  return `**running** — waiting at ${nodes || 'a node being prepared'}; assignees: ${currentAssignees(state).join(', ') || '—'}`;
}
