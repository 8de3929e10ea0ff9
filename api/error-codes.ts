import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RefusalCode } from '../engine/refusals';

/**
 * Every error code the API answers (SPEC §6 error shape), with its one HTTP status. Routes list
 * the codes they may answer; the OpenAPI document and the `ApiError` status both come from here.
 */
export const ERROR_CODES = {
  MALFORMED_JSON: { status: 400, meaning: 'the body is empty or not JSON' },
  VALIDATION_FAILED: { status: 400, meaning: 'a field, query parameter or path parameter is invalid; `details` names each' },
  MISSING_SIGNATURE: { status: 401, meaning: 'X-App-Key, X-Timestamp, X-Nonce or X-Signature is missing' },
  UNKNOWN_APP: { status: 401, meaning: 'no app has this X-App-Key' },
  STALE_TIMESTAMP: { status: 401, meaning: 'X-Timestamp is more than 300 s from server time' },
  BAD_SIGNATURE: { status: 401, meaning: 'X-Signature does not match the request' },
  REPLAYED_NONCE: { status: 401, meaning: 'X-Nonce was already used within the window' },
  PERMISSION_DENIED: { status: 403, meaning: 'the app lacks the permission the route needs' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the request body is larger than the route accepts (`details.maxBytes`); it was not read' },
  RATE_LIMITED: {
    status: 429,
    meaning:
      'the app (or the session’s user) sent more requests than its rate allows; retry after `Retry-After` seconds (the nonce was not used: the same request may be sent again)',
  },
  SESSION_REQUIRED: { status: 401, meaning: 'the route needs a user session (Authorization: Bearer <token>)' },
  SESSION_INVALID: { status: 401, meaning: 'the session token is unknown, expired or revoked, or its user left' },
  ACTOR_MISMATCH: { status: 403, meaning: 'a session acts as its own user: `actorId` names someone else' },
  NOT_OWN_LIST: { status: 403, meaning: 'a user reads only their own lists' },
  NOT_FLOW_ADMIN: { status: 403, meaning: 'only an admin of the flow (or an `approval_admin`) may do this; only an `approval_admin` may create a flow' },
  CC_NOT_FOUND: { status: 404, meaning: 'no cc notice with this id for this user' },
  NOT_FOUND: { status: 404, meaning: 'no such route' },

  INSTANCE_NOT_FOUND: { status: 404, meaning: 'no instance with this id' },
  FLOW_NOT_FOUND: { status: 404, meaning: 'no flow with this code, or none published' },
  VERSION_NOT_FOUND: { status: 404, meaning: 'the flow has no such version' },
  SYSTEM_NOT_FOUND: { status: 404, meaning: 'no ERP system with this code' },
  DELEGATION_NOT_FOUND: { status: 404, meaning: 'no delegation with this id' },
  DEAD_LETTER_NOT_FOUND: { status: 404, meaning: 'no dead letter with this id (that this app may see)' },
  APP_NOT_FOUND: { status: 404, meaning: 'no app with this key' },
  APP_EXISTS: { status: 409, meaning: 'an app with this key is registered already' },
  BUSINESS_KEY_CONFLICT: { status: 409, meaning: 'an instance with this flowCode and businessKey exists with another payload' },
  DELEGATION_OVERLAP: { status: 409, meaning: 'the delegator already delegates for part of this period and these flows' },
  ALREADY_REPLAYED: { status: 409, meaning: 'a replay already delivered this dead letter' },
  SIGNING_APP_GONE: { status: 409, meaning: 'the app whose secret signs this webhook is no longer registered' },
  DRAFT_CHANGED: { status: 409, meaning: 'the flow’s draft was saved again since the revision `If-Match` names: read it again' },
  INVALID_DEFINITION: { status: 422, meaning: 'the flow definition has problems; `details` lists {nodeId, field, message}' },
  INVALID_DEPARTMENTS: { status: 422, meaning: 'the department tree is not a tree (unknown parent, a cycle)' },
  AMBIGUOUS_USER_BINDING: { status: 422, meaning: 'a pushed user matches several existing users by mobile or email' },
  UNKNOWN_USER: { status: 422, meaning: 'a user named in the request is unknown or inactive' },
  SELF_DELEGATION: { status: 422, meaning: 'a user cannot delegate to themselves' },
  REPLAY_FAILED: { status: 502, meaning: 'the receiver did not accept the replayed webhook' },
  INTERNAL: { status: 500, meaning: 'an unexpected error (logged)' },
  UNAVAILABLE: {
    status: 503,
    meaning: 'PostgreSQL or Temporal cannot be reached right now (a restart, a failover); nothing was done — send the same request again after `Retry-After`',
  },
  DINGTALK_BAD_SIGNATURE: { status: 401, meaning: 'a DingTalk callback without a valid x-ddpaas-signature, or with a timestamp more than 5 minutes off' },
  INVALID_AUTH_CODE: { status: 401, meaning: 'the DingTalk 免登 code is unknown, expired or already used' },
  DINGTALK_USER_UNKNOWN: { status: 401, meaning: 'the DingTalk user is not bound to an active user here (sync the org first)' },
  DINGTALK_NOT_CONFIGURED: { status: 503, meaning: 'this server has no DingTalk configured' },
  DINGTALK_UNAVAILABLE: { status: 502, meaning: 'DingTalk did not answer as expected; try again' },

  // Refused by the workflow's update validator (SPEC §5): nothing is written.
  INSTANCE_NOT_RUNNING: { status: 409, meaning: 'the instance has ended' },
  TASK_NOT_FOUND: { status: 404, meaning: 'the instance has no task with this taskId' },
  NOT_ASSIGNEE: { status: 403, meaning: 'the actor is not the assignee of the task' },
  NOT_INITIATOR: { status: 403, meaning: 'only the initiator may do this' },
  NOT_PARTICIPANT: { status: 403, meaning: 'the actor takes no part in the instance' },
  TASK_NOT_PENDING: { status: 409, meaning: 'the task is not pending' },
  NOT_RETURNED: { status: 409, meaning: 'the instance was not returned to the initiator' },
  NOTHING_TO_REMOVE: { status: 409, meaning: 'the actor added no signer who has yet to act' },
  REVOKE_NOT_ALLOWED: { status: 409, meaning: 'the approval can no longer be taken back' },
  NOTHING_TO_URGE: { status: 409, meaning: 'no task is pending' },
  URGE_TOO_SOON: { status: 409, meaning: 'every pending task was urged less than an hour ago' },
  INSTANCE_NOT_COMPENSATION_FAILED: { status: 409, meaning: 'the instance is not compensation_failed' },
  INVALID_TARGET_NODE: { status: 422, meaning: 'not an approval node this task may return to' },
  TRANSFER_TO_SELF: { status: 422, meaning: 'a task cannot be transferred to its own assignee' },
  ALREADY_ASSIGNEE: { status: 422, meaning: 'the user already has an open task on this node' },
  INVALID_SIGNERS: { status: 422, meaning: 'the signers are not ones this action may add or remove' },
} as const satisfies Record<string, { status: ContentfulStatusCode; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Each refusal of the engine is answered as the error code of the same name (a bad form, as any bad field). */
export const REFUSAL_ERRORS = {
  INVALID_FORM: 'VALIDATION_FAILED',
} as const satisfies Partial<Record<RefusalCode, ErrorCode>>;

export function errorCodeOfRefusal(code: RefusalCode): ErrorCode {
  return code in REFUSAL_ERRORS ? REFUSAL_ERRORS[code as keyof typeof REFUSAL_ERRORS] : (code as Exclude<RefusalCode, keyof typeof REFUSAL_ERRORS>);
}
