import type { InstanceView } from '../engine/instance-view';

/** An action id and the view it was answered with. */
export type RecentAnswer = [actionId: string, answer: InstanceView];

/** What continue-as-new carries of the actions applied so far. */
export interface RecentActionsSnapshot {
  ids: string[];
  answers: RecentAnswer[];
}

/** How many applied action ids are remembered, and how many of them with their answer. */
export const RECENT_ACTION_IDS = 100;
export const RECENT_ANSWERS = 20;

/**
 * The actions this instance applied lately, across continue-as-new. Within one run Temporal
 * itself answers a repeated update id with the first outcome; a new run starts without that
 * memory, so a repeat after continue-as-new is caught here: it does nothing again, and gets the
 * answer it got the first time (or, for an older action, the current view).
 */
export class RecentActions {
  private constructor(
    private readonly ids: string[],
    private readonly answers: RecentAnswer[],
  ) {}

  static carried(snapshot?: RecentActionsSnapshot): RecentActions {
    return new RecentActions([...(snapshot?.ids ?? [])], [...(snapshot?.answers ?? [])]);
  }

  has(actionId: string): boolean {
    return this.ids.includes(actionId);
  }

  /** The answer to a repeat of `actionId`. */
  answerTo(actionId: string, current: () => InstanceView): InstanceView {
    return this.answers.find(([id]) => id === actionId)?.[1] ?? current();
  }

  applied(actionId: string): void {
    this.ids.push(actionId);
    if (this.ids.length > RECENT_ACTION_IDS) this.ids.splice(0, this.ids.length - RECENT_ACTION_IDS);
  }

  answered(actionId: string, answer: InstanceView): void {
    this.answers.push([actionId, answer]);
    if (this.answers.length > RECENT_ANSWERS) this.answers.splice(0, this.answers.length - RECENT_ANSWERS);
  }

  snapshot(): RecentActionsSnapshot {
    return { ids: [...this.ids], answers: [...this.answers] };
  }
}
