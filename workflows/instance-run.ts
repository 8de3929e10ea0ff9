import { channelReported, type Command, type InstanceState, type Transition } from '../engine/instance';
import { ApproverChannel } from './approver-channel';
import { channelActivity, erpActivities, type ErpActivities } from './activity-stubs';
import { executeCommand } from './commands';
import { currentCause, underCause, type MessageCause } from './message-cause';
import { ProjectionWriter } from './projection-writer';
import { WebhookOutbox } from './webhook-outbox';

/**
 * One instance as a workflow run holds it: its state, numbered by revision (every transition
 * bumps it), the engine's commands still to carry out, its projection and its webhook outbox.
 */
export class InstanceRun {
  revision = 0;
  readonly outbox: WebhookOutbox;
  readonly channel: ApproverChannel;
  /** Each with the cause of the change that asked for it: carried out as caused by it (message-cause.ts). */
  private readonly commands: Array<{ command: Command; cause: MessageCause }> = [];
  /** The cause of the latest change: the projection write that shows it runs as caused by it. */
  private cause: MessageCause = {};
  private executing = false;
  private readonly projection: ProjectionWriter;
  private readonly erp: ErpActivities;

  /** @param resumed carried over by continue-as-new: the projection is already written. */
  constructor(
    public state: InstanceState,
    resumed: boolean,
  ) {
    this.erp = erpActivities(state.retries);
    this.projection = new ProjectionWriter(resumed ? this.revision : -1);
    this.outbox = new WebhookOutbox(
      this.erp.deliverWebhook,
      () => this.state,
      () => !this.projectionDue(),
    );
    this.channel = new ApproverChannel(
      state.approverChannel === true,
      channelActivity(state.retries),
      () => this.state,
      () => !this.projectionDue(),
      (problems) => this.apply(channelReported(this.state, problems, new Date().toISOString())),
    );
  }

  /** The engine's commands: webhooks to the outbox, the rest to carry out in order. */
  take(commands: Command[]): void {
    const cause = currentCause();
    for (const command of commands) {
      if (command.type === 'webhook') this.outbox.push(command.event);
      else this.commands.push({ command, cause });
    }
  }

  apply(transition: Transition): void {
    this.cause = currentCause();
    this.state = transition.state;
    this.take(transition.commands);
    this.revision++;
  }

  hasCommands(): boolean {
    return this.commands.length > 0;
  }

  projectionDue(): boolean {
    return this.projection.isDue(this.state, this.revision);
  }

  project(): Promise<void> {
    return underCause(this.cause, async () => {
      const projected = await this.projection.write(this.state, this.revision);
      this.state = { ...this.state, projected };
      this.channel.stateWritten();
    });
  }

  /** Nothing left to do for what has happened: commands carried out and the projection written. */
  isSettled(): boolean {
    return this.commands.length === 0 && !this.executing && !this.projectionDue();
  }

  /** Settled, every webhook sent and DingTalk caught up: the run may continue-as-new. */
  isIdle(): boolean {
    return this.isSettled() && this.outbox.isEmpty() && this.channel.isIdle();
  }

  /** Carries out the queued commands, each answer applied to the state as it is then. */
  async executeCommands(): Promise<void> {
    while (this.commands.length > 0) {
      // Written before the world hears of it (a notice, an ERP call): lookups alone do not wait for it.
      if (this.commands[0]!.command.type !== 'resolve' && this.projectionDue()) await this.project();
      const { command, cause } = this.commands.shift()!;
      this.executing = true;
      try {
        const transition = await underCause(cause, () => executeCommand(command, () => this.state, this.erp));
        underCause(cause, () => {
          if (transition) this.apply(transition);
          if (command.type === 'notify') this.channel.noticesQueued();
        });
      } finally {
        this.executing = false;
      }
    }
  }
}
