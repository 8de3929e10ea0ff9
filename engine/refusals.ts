import type { FormProblem } from './form';

/**
 * Why a workflow update is refused by its validator (so it leaves nothing in history). The API
 * turns each code into its HTTP status (api/update-refusals.ts).
 */
/** Why an action is refused. */
export const ACTION_REFUSAL_CODES = [
  'INSTANCE_NOT_RUNNING',
  'TASK_NOT_FOUND',
  'NOT_ASSIGNEE',
  'NOT_INITIATOR',
  'NOT_PARTICIPANT',
  'TASK_NOT_PENDING',
  'NOT_RETURNED',
  'NOTHING_TO_REMOVE',
  'REVOKE_NOT_ALLOWED',
  'NOTHING_TO_URGE',
  'URGE_TOO_SOON',
  'INVALID_TARGET_NODE',
  'TRANSFER_TO_SELF',
  'ALREADY_ASSIGNEE',
  'INVALID_SIGNERS',
  /** A resubmitted form that does not fit the definition the instance runs. */
  'INVALID_FORM',
] as const;

export const REFUSAL_CODES = [
  ...ACTION_REFUSAL_CODES,
  /** Ops asked to retry compensations of an instance that is not `compensation_failed`. */
  'INSTANCE_NOT_COMPENSATION_FAILED',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  message: string;
  /** `INVALID_FORM`: each field and what is wrong with it. */
  details?: FormProblem[];
}

export function refuse(code: RefusalCode, message: string, details?: FormProblem[]): Refusal {
  return { code, message, ...(details ? { details } : {}) };
}

/** For results that are either a refusal or something without a `code` (a task, a run, a plan). */
export const isRefusal = <T extends object>(value: T | Refusal): value is Refusal => 'code' in value;
