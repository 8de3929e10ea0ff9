import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

/** One durable timer for the earliest task deadline; untouched while that deadline stays the same. */
export class DeadlineTimer {
  private armedAt: string | undefined;
  private scope: CancellationScope | undefined;
  private fired = false;

  arm(at: string | undefined): void {
    if (at === this.armedAt) return;
    this.scope?.cancel();
    this.scope = undefined;
    this.armedAt = at;
    this.fired = false;
    if (at === undefined) return;
    const ms = Math.max(1, Date.parse(at) - Date.now());
    const current = new CancellationScope();
    this.scope = current;
    current
      .run(() => sleep(ms))
      .then(
        () => {
          if (this.scope === current) this.fired = true;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }

  due(): boolean {
    return this.fired;
  }

  consume(): void {
    this.fired = false;
    this.armedAt = undefined;
    this.scope = undefined;
  }
}
