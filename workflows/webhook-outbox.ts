import { condition } from '@temporalio/workflow';
import type { InstanceState, WebhookEvent } from '../engine/instance';
import { deadLetterWebhook } from './activity-stubs';
import type { ErpActivities } from './activity-stubs';
import { failureOf } from './commands';

/**
 * The SPEC §8 webhooks of an instance, sent in order and apart from the command loop, so a slow
 * receiver holds nothing else up. Each waits until the projection shows what it announces; one
 * that fails for good goes to the dead-letter table and the next one follows.
 */
export class WebhookOutbox {
  private readonly queue: WebhookEvent[] = [];
  private delivering = false;

  constructor(
    private readonly deliverWebhook: ErpActivities['deliverWebhook'],
    private readonly current: () => InstanceState,
    private readonly projectionWritten: () => boolean,
  ) {}

  push(event: WebhookEvent): void {
    this.queue.push(event);
    if (!this.delivering) void this.drain();
  }

  /** Nothing queued and nothing on its way. */
  isEmpty(): boolean {
    return this.queue.length === 0;
  }

  isIdle(): boolean {
    return this.queue.length === 0 && !this.delivering;
  }

  private async drain(): Promise<void> {
    this.delivering = true;
    try {
      while (this.queue.length > 0) {
        await condition(this.projectionWritten);
        const event = this.queue[0]!;
        const state = this.current();
        const delivery = { url: state.callbackUrl!, appKey: state.appKey, event };
        try {
          await this.deliverWebhook.executeWithOptions({ summary: `webhook ${event.type} → ${delivery.url}` }, [delivery]);
        } catch (err) {
          const failure = failureOf(err);
          await deadLetterWebhook({ delivery, error: failure.error, ...(failure.status !== undefined ? { statusCode: failure.status } : {}) });
        }
        this.queue.shift();
      }
    } finally {
      this.delivering = false;
    }
  }
}
