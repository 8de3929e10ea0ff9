import { signedHeaders } from '../../protocol/request-signature';
import type { WebhookEvent } from '../../engine/webhook-events';

/** A webhook to one receiver, signed with the secret of the app that started the instance. */
export interface WebhookDelivery {
  url: string;
  appKey: string;
  event: WebhookEvent;
}

export interface WebhookAttempt {
  /** delivered (2xx) · retrying (5xx, 408, 429, network) · rejected (any other 4xx: final) */
  outcome: 'delivered' | 'retrying' | 'rejected';
  statusCode?: number;
  error?: string;
  durationMs: number;
}

const TIMEOUT_MS = 10_000;

/**
 * One POST of SPEC §8: body the event, headers `X-Event-Id` and the §7 signature, where PATH is
 * the callback URL's path and query. Never throws: the outcome says what happened.
 */
export async function sendWebhook(delivery: WebhookDelivery, secret: string): Promise<WebhookAttempt> {
  const body = JSON.stringify(delivery.event);
  const target = new URL(delivery.url);
  const headers = {
    'Content-Type': 'application/json',
    'X-Event-Id': delivery.event.eventId,
    ...signedHeaders({ appKey: delivery.appKey, secret }, { method: 'POST', path: target.pathname + target.search, body }),
  };
  const started = Date.now();
  try {
    const response = await fetch(target, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
    const durationMs = Date.now() - started;
    const status = response.status;
    if (status >= 200 && status < 300) {
      await response.body?.cancel();
      return { outcome: 'delivered', statusCode: status, durationMs };
    }
    const excerpt = (await response.text().catch(() => '')).slice(0, 300);
    const error = `${delivery.url} answered ${status}${excerpt ? `: ${excerpt}` : ''}`;
    const final = status >= 400 && status < 500 && status !== 408 && status !== 429;
    return { outcome: final ? 'rejected' : 'retrying', statusCode: status, error, durationMs };
  } catch (err) {
    const reason = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : err.message) : String(err);
    return { outcome: 'retrying', error: `${delivery.url} unreachable: ${reason}`, durationMs: Date.now() - started };
  }
}
