import { z } from 'zod';
import type { ActionRequest } from '../../engine/action-request';
import { MAX_COMMENT_LENGTH, MAX_SIGNERS_PER_ACTION } from '../../engine/limits';
import { formValues, key } from './common';

/** The body leaves the actor out when a session says who acts. */
type WithActorOptional<T> = T extends unknown ? Omit<T, 'actorId'> & { actorId?: string } : never;

const actionCommon = {
  actionId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 characters of letters, digits, ".", "_", ":" or "-"')
    .describe('idempotency key: the same actionId again answers the first result and does nothing again'),
  actorId: key.optional().describe('the user an app acts for (required of an app; a session acts as its own user)'),
  taskId: key.optional().describe('the task acted on; without it, the actor’s pending task'),
  comment: z.string().min(1).max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`).optional(),
};
const signerIds = z
  .array(key)
  .min(1)
  .max(MAX_SIGNERS_PER_ACTION, {
    error: (issue) => `names ${Array.isArray(issue.input) ? issue.input.length : '?'} signers; at most ${MAX_SIGNERS_PER_ACTION} per action`,
  });

const action = <T extends string, S extends z.ZodRawShape>(type: T, description: string, shape: S) =>
  z
    .strictObject({ type: z.literal(type), ...actionCommon })
    .extend(shape)
    .meta({ id: `${type.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}Action`, description });

/** SPEC §5 actions, one shape per `type`: what a type requires is required by its shape, and a field it does not take is refused by name. */
export const actionBody = z
  .discriminatedUnion('type', [
    action('approve', '同意', {}),
    action('reject', '拒绝', {}),
    action('transfer', '转交: the task goes to `toUserId` (or their delegate)', { toUserId: key }),
    action('add_signer', '加签: `before` — they sign first; `after` — after the actor approves; `parallel` — beside the actor', {
      signers: signerIds,
      position: z.enum(['before', 'after', 'parallel']),
    }),
    action('remove_signer', '减签: signers the actor added who have yet to act (all of them without `signers`)', { signers: signerIds.optional() }),
    action('return', '退回: to an earlier completed approval node, or `start` (the initiator)', { targetNodeId: key }),
    action('resubmit', 'after a return to the initiator, optionally with a new form', { form: formValues.optional() }),
    action('revoke', '撤回审批: take back one’s approval while the next node is untouched', {}),
    action('withdraw', '撤销: the initiator ends the instance', {}),
    action('comment', 'a comment on the timeline', { comment: actionCommon.comment.unwrap() }),
    action('urge', '催办: the initiator reminds the current assignees (once per task per hour)', {}),
  ])
  .meta({ id: 'Action' }) satisfies z.ZodType<WithActorOptional<ActionRequest>>;
export type ActionBody = z.infer<typeof actionBody>;
/** An action once the API knows its actor (the session's user, or whom the app acts for). */
export type ActorAction = ActionBody & { actorId: string };

/** Ops: run the failed compensations again. `requestId` makes a repeat harmless. */
export const compensationRetryBody = z.strictObject({ requestId: z.string().min(1).max(128) });
