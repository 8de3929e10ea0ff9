import { Hono } from 'hono';
import { findApp } from '../../db/apps';
import { findDeadLetter, listDeadLetters, listWebhookAttempts, logWebhookAttempt, recordReplay } from '../../db/webhooks';
import { sendWebhook } from '../../integrations/webhooks/send-webhook';
import { requireApp } from '../auth/app-auth';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { deadLetterId, deadLetterListQuery, deliveryLogQuery } from '../webhook-schemas';
import { pagedOrBadCursor, validatedQuery } from '../validation';

/**
 * SPEC §8: webhooks that failed for good, and every delivery attempt. An app sees the webhooks of
 * the instances it started; an app with `admin` sees all of them.
 */
export function webhookRoutes(deps: ApiDependencies) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', requireApp(deps));
  const scopeOf = (caller: { key: string; permissions: string[] }) => (caller.permissions.includes('admin') ? undefined : caller.key);

  routes.get('/dead-letters', async (c) => {
    const query = validatedQuery(c, deadLetterListQuery);
    const appKey = scopeOf(c.get('caller'));
    return c.json(
      await pagedOrBadCursor(() =>
        listDeadLetters(deps.db, {
          state: query.state,
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.instanceId ? { instanceId: query.instanceId } : {}),
          ...(appKey ? { appKey } : {}),
        }),
      ),
    );
  });

  /** Sends the dead letter again, now, once; 200 when delivered, 502 (and still dead) when not. */
  routes.post('/dead-letters/:id/replay', async (c) => {
    const parsed = deadLetterId.safeParse(c.req.param('id'));
    if (!parsed.success)
      throw new ApiError(400, 'VALIDATION_FAILED', `id: ${parsed.error.issues[0]?.message ?? 'invalid'}`, [
        { field: 'id', message: 'must be a dead letter id' },
      ]);
    const id = Number(parsed.data);
    const letter = await findDeadLetter(deps.db, id);
    const appKey = scopeOf(c.get('caller'));
    if (!letter || (appKey !== undefined && letter.appKey !== appKey)) throw new ApiError(404, 'DEAD_LETTER_NOT_FOUND', `no dead letter ${id}`);
    if (letter.replayedAt) throw new ApiError(409, 'ALREADY_REPLAYED', `dead letter ${id} was delivered by a replay at ${letter.replayedAt}`);
    const signer = await findApp(deps.db, deps.secretBox, letter.appKey);
    if (!signer) throw new ApiError(409, 'SIGNING_APP_GONE', `app "${letter.appKey}" that signs this webhook is no longer registered`);
    const delivery = { url: letter.url, appKey: letter.appKey, event: letter.event };
    const result = await sendWebhook(delivery, signer.secret);
    await logWebhookAttempt(deps.db, delivery, 0, result);
    const updated = await recordReplay(deps.db, id, result);
    if (result.outcome !== 'delivered') {
      throw new ApiError(502, 'REPLAY_FAILED', result.error ?? 'the receiver did not accept the webhook', {
        statusCode: result.statusCode ?? null,
        deadLetter: updated,
      });
    }
    return c.json({ delivered: true, statusCode: result.statusCode, deadLetter: updated });
  });

  routes.get('/deliveries', async (c) => {
    const query = validatedQuery(c, deliveryLogQuery);
    const appKey = scopeOf(c.get('caller'));
    const items = await listWebhookAttempts(
      deps.db,
      { ...(query.eventId ? { eventId: query.eventId } : {}), ...(query.instanceId ? { instanceId: query.instanceId } : {}), ...(appKey ? { appKey } : {}) },
      query.limit,
    );
    return c.json({ items });
  });
  return routes;
}
