import { listDeadLetters, listWebhookAttempts } from '../../db/webhooks';
import type { ApiDependencies } from '../context';
import { route } from '../contract/route';
import { pagedOrBadCursor } from '../paging';
import { deadLetterListQuery, deadLetterPage, deadLetterParams, deliveryLog, deliveryLogQuery, replayAnswer } from '../schemas/webhooks';
import { replayDeadLetter, webhookScopeOf } from '../services/dead-letter-replay';

/**
 * SPEC §8: webhooks that failed for good, and every delivery attempt. An app sees the webhooks of
 * the instances it started; an app with `admin` sees all of them.
 */
export function webhookRoutes(deps: ApiDependencies) {
  return [
    route(
      {
        operationId: 'listDeadLetters',
        method: 'get',
        path: '/api/v1/webhooks/dead-letters',
        tag: 'webhooks',
        summary: 'Webhooks that failed for good, with their body and last error',
        auth: 'signed',
        query: deadLetterListQuery,
        responses: { 200: { description: 'a page', schema: deadLetterPage } },
        errors: [],
      },
      async ({ query, caller }) => {
        const appKey = webhookScopeOf(caller);
        const page = await pagedOrBadCursor(() =>
          listDeadLetters(deps.db, {
            state: query.state,
            limit: query.limit,
            ...(query.cursor ? { cursor: query.cursor } : {}),
            ...(query.instanceId ? { instanceId: query.instanceId } : {}),
            ...(appKey ? { appKey } : {}),
          }),
        );
        return { status: 200, body: page };
      },
    ),
    route(
      {
        operationId: 'replayDeadLetter',
        method: 'post',
        path: '/api/v1/webhooks/dead-letters/{id}/replay',
        tag: 'webhooks',
        summary: 'Send a dead letter again, now, once',
        description: '200 when the receiver took it; 502 REPLAY_FAILED (and it stays dead) when not.',
        auth: 'signed',
        params: deadLetterParams,
        responses: { 200: { description: 'delivered', schema: replayAnswer } },
        errors: ['DEAD_LETTER_NOT_FOUND', 'ALREADY_REPLAYED', 'SIGNING_APP_GONE', 'REPLAY_FAILED'],
      },
      async ({ params, caller }) => ({ status: 200, body: await replayDeadLetter(deps, caller, Number(params.id)) }),
    ),
    route(
      {
        operationId: 'listDeliveries',
        method: 'get',
        path: '/api/v1/webhooks/deliveries',
        tag: 'webhooks',
        summary: 'The delivery log: every attempt of an event or of an instance’s events',
        auth: 'signed',
        query: deliveryLogQuery,
        responses: { 200: { description: 'the attempts, oldest first', schema: deliveryLog } },
        errors: [],
      },
      async ({ query, caller }) => {
        const appKey = webhookScopeOf(caller);
        const filter = {
          ...(query.eventId ? { eventId: query.eventId } : {}),
          ...(query.instanceId ? { instanceId: query.instanceId } : {}),
          ...(appKey ? { appKey } : {}),
        };
        return { status: 200, body: { items: await listWebhookAttempts(deps.db, filter, query.limit) } };
      },
    ),
  ];
}
