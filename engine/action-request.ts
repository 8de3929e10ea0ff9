import type { Assignment } from './assignment';
import type { FormValues } from './dsl';
import type { SignerPosition } from './state';

/**
 * The human actions of SPEC §5, one type each. The API's schema (zod, at the edge) produces
 * exactly these; the workflow receives them as the `act` update's argument, so the field names
 * are the wire format of recorded histories and must not change.
 */

/** What every action carries. */
export interface ActionCommon {
  /** Idempotency key of the action: the Temporal update id. */
  actionId: string;
  actorId: string;
  /** The task acted on; without it, the actor's pending task on a current node. */
  taskId?: string;
  /** Goes to the timeline with the action, and onto the task the action closes. */
  comment?: string;
}

export interface ApproveAction extends ActionCommon {
  type: 'approve';
}

export interface RejectAction extends ActionCommon {
  type: 'reject';
}

/** 转交: the task goes to someone else. */
export interface TransferAction extends ActionCommon {
  type: 'transfer';
  toUserId: string;
  /** `toUserId` after delegation, as the API resolved it (default: `toUserId` itself). */
  targets?: Assignment[];
}

/** 加签: more people sign before, after or beside the actor. */
export interface AddSignerAction extends ActionCommon {
  type: 'add_signer';
  signers: string[];
  position: SignerPosition;
  /** `signers` after delegation, as the API resolved them (default: the ids as given). */
  targets?: Assignment[];
}

/** 减签: signers the actor added and who have not acted yet; all of them when `signers` is left out. */
export interface RemoveSignerAction extends ActionCommon {
  type: 'remove_signer';
  signers?: string[];
}

/** 退回: to an earlier completed approval node, or to the initiator (`start`). */
export interface ReturnAction extends ActionCommon {
  type: 'return';
  targetNodeId: string;
}

/** After a return to the initiator: the flow runs again from the start, with a new form if one is given. */
export interface ResubmitAction extends ActionCommon {
  type: 'resubmit';
  form?: FormValues;
}

/** 撤回审批: an approver takes back their approval while the next node is untouched. */
export interface RevokeAction extends ActionCommon {
  type: 'revoke';
}

/** 撤销: the initiator ends the instance. */
export interface WithdrawAction extends ActionCommon {
  type: 'withdraw';
}

export interface CommentAction extends ActionCommon {
  type: 'comment';
  comment: string;
}

/** 催办: the initiator reminds the current assignees (once per task per hour). */
export interface UrgeAction extends ActionCommon {
  type: 'urge';
}

export type ActionRequest =
  | ApproveAction
  | RejectAction
  | TransferAction
  | AddSignerAction
  | RemoveSignerAction
  | ReturnAction
  | ResubmitAction
  | RevokeAction
  | WithdrawAction
  | CommentAction
  | UrgeAction;

export type ActionType = ActionRequest['type'];
