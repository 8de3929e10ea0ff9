import type { ApprovalNode, ApproverSource } from './dsl';

/** One person a task goes to, and why it is them rather than whom the flow named. */
export interface Assignment {
  userId: string;
  /** The task was meant for this user, who delegated (委托) to `userId` for the period. */
  delegatedFrom?: string;
  /** The initiator was resolved as approver and the node sends such tasks to their manager. */
  substitutedFor?: string;
}

/** The DSL's approver sources plus the flow's admins (for `to_admin`). */
export type ResolvableSource = ApproverSource | { type: 'admins'; ids: string[] };

/** What the workflow asks the org lookup (an activity, so the answer is fixed in history). */
export interface ResolveApproversInput {
  instanceId: string;
  flowCode: string;
  source: ResolvableSource;
  /** Whose reporting line and department count: the initiator, or for an escalation the task's assignee. */
  subjectId: string;
  initiatorId: string;
  /** `initiator_select`: the ids the initiator chose for this node. */
  selected?: string[];
  whenApproverIsInitiator?: ApprovalNode['whenApproverIsInitiator'];
  /** Tasks follow delegations; cc recipients do not. */
  applyDelegation: boolean;
}
