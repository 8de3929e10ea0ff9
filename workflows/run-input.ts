import type { InstanceState, StartInstanceInput } from '../engine/instance';
import type { RecentActionsSnapshot, RecentAnswer } from './recent-actions';

/** What continue-as-new carries into the next run: the instance and the actions it applied lately. */
export interface ContinuedInstance {
  continued: { state: InstanceState; recentActions: RecentActionsSnapshot };
}

/** A run starts a new instance (the API's start input) or continues one. */
export type ApprovalWorkflowInput = StartInstanceInput | ContinuedInstance;

/**
 * Runs continued before the one input object got `(input, state, answers)`, the state holding the
 * applied action ids; instances still running on such a run continue that way once more.
 */
export type LegacyContinuation = [state?: InstanceState & { recentActionIds?: string[] }, answers?: RecentAnswer[]];
