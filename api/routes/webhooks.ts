import { listDeadLetters, listWebhookAttempts } from '../../db/webhooks';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { pagedOrBadCursor } from '../paging';
import { deadLetterListQuery, deadLetterPage, deadLetterParams, deliveryLog, deliveryLogQuery, replayAnswer } from '../schemas/webhooks';
import { replayDeadLetter, webhookScopeOf } from '../services/dead-letter-replay';

const route = routesOf('webhooks');

/** Only the fields that are set: the queries' filters are all optional. */
const present = <T extends object>(fields: T) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };

/**
 * SPEC §8: webhooks that failed for good, and every delivery attempt. An app sees the webhooks of
 * the instances it started; an app with `admin` sees all of them.
 */
export const webhookRoutes: AnyRoute[] = [
  route(
    { operationId: 'listDeadLetters', method: 'get', path: '/api/v1/webhooks/dead-letters', auth: 'signed', query: deadLetterListQuery },
    { summary: 'Webhooks that failed for good, with their body and last error', responses: okWith('a page', deadLetterPage) },
    async ({ query: { state, limit, cursor, instanceId }, caller, deps }) =>
      ok(await pagedOrBadCursor(() => listDeadLetters(deps.db, { state, limit, ...present({ cursor, instanceId, appKey: webhookScopeOf(caller) }) }))),
  ),
  route(
    { operationId: 'replayDeadLetter', method: 'post', path: '/api/v1/webhooks/dead-letters/{id}/replay', auth: 'signed', params: deadLetterParams },
    {
      summary: 'Send a dead letter again, now, once',
      description: '200 when the receiver took it; 502 REPLAY_FAILED (and it stays dead) when not.',
      responses: okWith('delivered', replayAnswer),
      errors: ['DEAD_LETTER_NOT_FOUND', 'ALREADY_REPLAYED', 'SIGNING_APP_GONE', 'REPLAY_FAILED'],
    },
    async ({ params, caller, deps }) => ok(await replayDeadLetter(deps, caller, Number(params.id))),
  ),
  route(
    { operationId: 'listDeliveries', method: 'get', path: '/api/v1/webhooks/deliveries', auth: 'signed', query: deliveryLogQuery },
    { summary: 'The delivery log: every attempt of an event or of an instance’s events', responses: okWith('the attempts, oldest first', deliveryLog) },
    async ({ query: { eventId, instanceId, limit }, caller, deps }) =>
      ok({ items: await listWebhookAttempts(deps.db, present({ eventId, instanceId, appKey: webhookScopeOf(caller) }), limit) }),
  ),
];
