import { evaluateCondition } from './condition';
import type { FlowNode, FormValues, NodeOfType } from './dsl';
import { approverLookup, recipientLookup } from './lookup-request';
import { endInstance } from './saga';
import { closeTask, findNode, isOpen, type NodeRun, type ServiceCallInFlight, type TaskReason } from './state';
import type { Step } from './step';

/**
 * Moving through the graph: entering nodes, forks and joins, completing runs, ending the
 * instance. Approval nodes stop the walk (they wait for resolution and people); every other
 * node passes straight through.
 */

/** The branch a condition node takes for this form: the first match, else the default. */
export function chooseBranch(node: NodeOfType<'condition'>, form: FormValues): string {
  const match = node.branches.find((b) => evaluateCondition(b.when, form));
  const next = match?.next ?? node.default;
  if (next === undefined) throw new Error(`condition node "${node.id}" matched no branch and has no default`);
  return next;
}

export function startNodeOf(nodes: FlowNode[]): NodeOfType<'start'> {
  const start = nodes.find((n): n is NodeOfType<'start'> => n.type === 'start');
  if (!start) throw new Error('definition has no start node');
  return start;
}

export function enterNode(step: Step, nodeId: string, token: string, from: number[]): void {
  const s = step.state;
  if (s.status !== 'running') return;
  const node = findNode(s.definition, nodeId);
  switch (node.type) {
    case 'start':
      throw new Error(`node "${nodeId}" is a start node and cannot be entered`);
    case 'end':
      endInstance(step, 'approved');
      return;
    case 'approval': {
      const run: NodeRun = {
        runId: s.nextRunId++,
        nodeId,
        token,
        enteredFrom: from,
        enteredAt: step.now,
        phase: 'resolving',
        queue: [],
        turnSeat: 0,
        nextSeat: 0,
      };
      s.runs.push(run);
      step.record('node_entered', { nodeId, data: { runId: run.runId } });
      step.commands.push({ type: 'resolve', purpose: { kind: 'node', runId: run.runId }, request: approverLookup(s, node) });
      return;
    }
    case 'condition': {
      const next = chooseBranch(node, s.form);
      step.record('branch_taken', { nodeId, data: { next } });
      enterNode(step, next, token, from);
      return;
    }
    case 'service':
      callService(step, node, token, from);
      return;
    case 'cc':
      step.commands.push({ type: 'resolve', purpose: { kind: 'cc', nodeId }, request: recipientLookup(s, node) });
      enterNode(step, node.next, token, from);
      return;
    case 'parallel': {
      const forkId = s.nextRunId++;
      const branchTokens = node.branches.map((_, i) => `${token ? `${token}/` : ''}${forkId}.${i}`);
      s.forks.push({ forkId, nodeId, parentToken: token, branchTokens, enteredFrom: from, arrivals: [] });
      step.record('forked', { nodeId, data: { branches: node.branches } });
      node.branches.forEach((branch, i) => enterNode(step, branch, branchTokens[i]!, from));
      return;
    }
    case 'join': {
      const fork = s.forks.find((f) => f.branchTokens.includes(token));
      if (!fork) throw new Error(`join "${nodeId}" reached on token "${token}" that belongs to no fork`);
      fork.arrivals.push({ token, joinNodeId: nodeId, from });
      if (fork.arrivals.length < fork.branchTokens.length) return;
      s.forks = s.forks.filter((f) => f !== fork);
      step.record('joined', { nodeId, data: { fork: fork.nodeId } });
      enterNode(step, node.next, fork.parentToken, [...new Set(fork.arrivals.flatMap((a) => a.from))]);
      return;
    }
  }
}

/** A service node sends its ERP call; the walk goes on when it answers (service-nodes.ts). */
function callService(step: Step, node: NodeOfType<'service'>, token: string, from: number[]): void {
  const s = step.state;
  const ref: ServiceCallInFlight = { nodeId: node.id, token, from };
  s.serviceCalls = [...(s.serviceCalls ?? []), ref];
  step.record('service_called', { nodeId: node.id, data: { system: node.call.system, operation: node.call.operation } });
  step.commands.push({ type: 'service', call: node.call, ref, idempotencyKey: `${s.instanceId}:${node.id}:call` });
}

/** Closes a run's open tasks as `reason` and takes the node's `next`. */
export function completeRun(step: Step, run: NodeRun): void {
  const s = step.state;
  closeOpenTasks(step, (t) => t.runId === run.runId, 'cancelled', 'node_completed');
  s.runs = s.runs.filter((r) => r.runId !== run.runId);
  s.completedRuns.push({ ...run, completedAt: step.now, order: s.nextCompletionOrder++ });
  step.record('node_completed', { nodeId: run.nodeId, data: { runId: run.runId, outcome: 'approved' } });
  const node = findNode(s.definition, run.nodeId);
  if (node.type !== 'approval') throw new Error(`run ${run.runId} is on non-approval node ${node.id}`);
  enterNode(step, node.next, run.token, [run.runId]);
}

export function rejectInstance(step: Step, nodeId: string): void {
  step.record('node_completed', { nodeId, data: { outcome: 'rejected' } });
  closeOpenTasks(step, () => true, 'cancelled', 'instance_rejected');
  endInstance(step, 'rejected');
}

export function closeOpenTasks(
  step: Step,
  which: (task: { runId: number; taskId: string }) => boolean,
  status: 'cancelled' | 'returned',
  reason: TaskReason,
): void {
  for (const task of step.state.tasks) if (isOpen(task) && which(task)) closeTask(task, status, step.now, reason);
}
