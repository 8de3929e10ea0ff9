import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ApprovalActivities } from '../activities';
import {
  applyAction,
  approversResolved,
  checkAction,
  currentAssignees,
  startInstance,
  type Command,
  type InstanceState,
  type StartInstanceInput,
  type Transition,
} from '../engine/instance';
import { toInstanceView, type InstanceView } from '../engine/instance-view';
import { retryPolicies, searchAttributes } from '../temporal-config';
import { actUpdate, instanceViewQuery } from './messages';

const { resolveApprovers } = proxyActivities<ApprovalActivities>({
  startToCloseTimeout: '30s',
  retry: retryPolicies.database,
});

/**
 * One approval instance. A thin loop around the pure engine: actions arrive as updates, are
 * checked by a validator (a refusal leaves nothing in history), applied by the engine, and
 * the engine's commands are carried out here by activities.
 */
export async function approvalWorkflow(input: StartInstanceInput): Promise<InstanceView> {
  const now = () => new Date().toISOString();
  const started = startInstance(input, now());
  let state: InstanceState = started.state;
  const commands: Command[] = [...started.commands];
  let executing = false;
  /** Bumped by every transition, so the loop republishes visibility after any change. */
  let revision = 0;

  const apply = (transition: Transition) => {
    state = transition.state;
    commands.push(...transition.commands);
    revision++;
  };

  setHandler(instanceViewQuery, () => toInstanceView(state));
  setHandler(
    actUpdate,
    async (action) => {
      apply(applyAction(state, action, now()));
      // Answer with the settled view: after the commands this action caused have run.
      await condition(() => commands.length === 0 && !executing);
      return toInstanceView(state);
    },
    {
      validator: (action) => {
        const refusal = checkAction(state, action);
        if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
      },
    },
  );

  let published = '';
  const publishVisibility = () => {
    const assignees = currentAssignees(state);
    const fingerprint = JSON.stringify([state.status, assignees]);
    if (fingerprint === published) return;
    published = fingerprint;
    upsertSearchAttributes([
      { key: searchAttributes.status, value: state.status },
      { key: searchAttributes.assignees, value: assignees },
    ]);
    setCurrentDetails(currentDetails(state, assignees));
  };

  let publishedRevision = -1;
  for (;;) {
    if (publishedRevision !== revision) {
      publishedRevision = revision;
      publishVisibility();
    }
    if (state.status !== 'running' && commands.length === 0) break;
    await condition(() => commands.length > 0 || revision !== publishedRevision);
    while (commands.length > 0) {
      const command = commands.shift()!;
      executing = true;
      try {
        apply(await execute(command, state));
      } finally {
        executing = false;
      }
    }
  }
  await condition(allHandlersFinished);
  return toInstanceView(state);
}

async function execute(command: Command, state: InstanceState): Promise<Transition> {
  switch (command.type) {
    case 'resolveApprovers': {
      const ids = await resolveApprovers.executeWithOptions(
        { summary: `resolve approvers of ${command.nodeId}` },
        [{ instanceId: state.instanceId, nodeId: command.nodeId, source: command.source, initiatorId: command.initiatorId }],
      );
      return approversResolved(state, command.nodeId, ids, new Date().toISOString());
    }
  }
}

function currentDetails(state: InstanceState, assignees: string[]): string {
  if (state.status !== 'running') return `**${state.status}** at ${state.completedAt ?? ''}`;
  const nodes = state.currentNodeIds
    .map((id) => state.definition.nodes.find((n) => n.id === id))
    .map((n) => (n ? `${n.name ?? n.id} (\`${n.id}\`)` : ''))
    .join(', ');
  return `**running** — waiting at ${nodes || 'a node being prepared'}; assignees: ${assignees.join(', ') || '—'}`;
}
