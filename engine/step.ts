import { limits, type Command, type InstanceState, type Notification, type TimelineEvent, type Transition } from './state';
import { webhookEventsBetween } from './webhook-events';

/**
 * One transition in the making: a private copy of the state that the engine's functions change
 * in place, the commands they ask for, and the clock reading (`now`) the workflow passed in.
 * Callers only ever see `transition(...)`, which keeps the engine a pure function.
 */
export class Step {
  readonly commands: Command[] = [];

  constructor(
    readonly state: InstanceState,
    readonly now: string,
  ) {}

  record(type: string, fields: Partial<Omit<TimelineEvent, 'seq' | 'type' | 'at'>> = {}): void {
    const s = this.state;
    s.timeline.push({ seq: s.nextEventSeq++, type, at: this.now, data: {}, ...fields });
    if (s.timeline.length > limits.timelineEvents) s.timeline.splice(0, s.timeline.length - limits.timelineEvents);
  }

  notify(notification: Omit<Notification, 'key'>): void {
    const key = `${this.state.instanceId}:${notification.kind}:${this.state.nextNotificationSeq++}`;
    this.commands.push({ type: 'notify', notification: { key, ...notification } });
  }
}

export function transition(state: InstanceState, now: string, change: (step: Step) => void): Transition {
  const step = new Step(JSON.parse(JSON.stringify(state)) as InstanceState, now);
  change(step);
  for (const event of webhookEventsBetween(state, step.state, now)) step.commands.push({ type: 'webhook', event });
  compactTasks(step.state);
  return { state: step.state, commands: step.commands };
}

/**
 * Closed tasks that no rule reads any more — those of runs no longer live (returned, resubmitted)
 * and transferred ones (their successor holds the seat) — are dropped beyond a cap, oldest first.
 */
function compactTasks(state: InstanceState): void {
  const live = new Set([...state.runs, ...state.completedRuns].map((r) => r.runId));
  const droppable = state.tasks.filter((t) => t.status === 'transferred' || (!live.has(t.runId) && t.status !== 'pending' && t.status !== 'waiting'));
  const excess = droppable.length - limits.closedTasksOfPastRuns;
  if (excess <= 0) return;
  const drop = new Set(droppable.slice(0, excess).map((t) => t.taskId));
  state.tasks = state.tasks.filter((t) => !drop.has(t.taskId));
}
