import { findApp, type RegisteredApp } from '../../db/apps';
import { findDeadLetter, logWebhookAttempt, recordReplay, type DeadLetter } from '../../db/webhooks';
import { sendWebhook } from '../../integrations/webhooks/send-webhook';
import { webhookDeliveries } from '../../observability/metrics';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';

/** Apps see the webhooks of the instances they started; an app with `admin` sees all of them. */
export function webhookScopeOf(caller: RegisteredApp): string | undefined {
  return caller.permissions.includes('admin') ? undefined : caller.key;
}

/**
 * Sends a dead letter again, now, once, signed as the original was; every attempt goes to the
 * delivery log. Delivered: it is marked replayed. Not delivered: 502, and it stays dead.
 */
export async function replayDeadLetter(
  deps: ApiDependencies,
  caller: RegisteredApp,
  id: number,
): Promise<{ delivered: true; statusCode: number; deadLetter: DeadLetter }> {
  const letter = await findDeadLetter(deps.db, id);
  const scope = webhookScopeOf(caller);
  if (!letter || (scope !== undefined && letter.appKey !== scope)) throw new ApiError('DEAD_LETTER_NOT_FOUND', `no dead letter ${id}`);
  if (letter.replayedAt) throw new ApiError('ALREADY_REPLAYED', `dead letter ${id} was delivered by a replay at ${letter.replayedAt}`);
  const signer = await findApp(deps.db, deps.secretBox, letter.appKey);
  if (!signer) throw new ApiError('SIGNING_APP_GONE', `app "${letter.appKey}" that signs this webhook is no longer registered`);
  const delivery = { url: letter.url, appKey: letter.appKey, event: letter.event };
  const result = await sendWebhook(delivery, signer.secret);
  await logWebhookAttempt(deps.db, delivery, 0, result);
  webhookDeliveries.inc({ result: result.outcome === 'delivered' ? 'delivered' : 'failed' });
  const updated = await recordReplay(deps.db, id, result);
  if (result.outcome !== 'delivered') {
    throw new ApiError('REPLAY_FAILED', result.error ?? 'the receiver did not accept the webhook', {
      statusCode: result.statusCode ?? null,
      deadLetter: updated,
    });
  }
  return { delivered: true, statusCode: result.statusCode!, deadLetter: updated };
}
