import { condition, log } from '@temporalio/workflow';
import type { ChannelProblem, InstanceState } from '../engine/instance';
import type { ChannelActivity } from './activity-stubs';

/**
 * The instance's DingTalk side (cards, todos, work notifications), kept in line apart from the
 * command loop so DingTalk being slow or down never holds an action up. After each projection
 * write that changed what a card shows, and after notices were queued, one activity reconciles
 * the instance with what was sent before; changes meanwhile are picked up by the next one.
 */
export class ApproverChannel {
  /** What the cards showed at the last reconciliation (task ids, statuses, assignees, the instance's status). */
  private synced = '';
  private due = false;
  private running = false;

  constructor(
    private readonly enabled: boolean,
    private readonly syncApproverChannel: ChannelActivity,
    private readonly current: () => InstanceState,
    private readonly projectionWritten: () => boolean,
    private readonly report: (problems: ChannelProblem[]) => void,
  ) {}

  /** The projection was written: cards and todos follow if anything they show changed. */
  stateWritten(): void {
    if (this.enabled && shownOnCards(this.current()) !== this.synced) this.kick();
  }

  /** The notify activity queued notices in the outbox. */
  noticesQueued(): void {
    if (this.enabled) this.kick();
  }

  isIdle(): boolean {
    return !this.due && !this.running;
  }

  private kick(): void {
    this.due = true;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.due) {
        this.due = false;
        await condition(this.projectionWritten);
        const state = this.current();
        this.synced = shownOnCards(state);
        try {
          const { reports } = await this.syncApproverChannel.executeWithOptions({ summary: `DingTalk cards, todos and notices (${state.status})` }, [
            { instanceId: state.instanceId },
          ]);
          if (reports.length > 0) this.report(reports);
        } catch (err) {
          // DingTalk failed for about a day: the next change reconciles everything again.
          log.warn('DingTalk channel gave up for now', { instanceId: state.instanceId, error: String(err) });
          this.synced = '';
        }
      }
    } finally {
      this.running = false;
    }
  }
}

function shownOnCards(state: InstanceState): string {
  return `${state.status}|${state.tasks.map((t) => `${t.taskId}:${t.status}:${t.assigneeId}`).join(',')}`;
}
