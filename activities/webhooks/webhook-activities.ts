import { ApplicationFailure, Context } from '@temporalio/activity';
import { findApp } from '../../db/apps';
import type { Db } from '../../db/client';
import type { SecretBox } from '../../db/secret-box';
import { deadLetterWebhook, logWebhookAttempt } from '../../db/webhooks';
import { sendWebhook, type WebhookDelivery } from '../../integrations/webhooks/send-webhook';
import { webhookDeadLettersCreated, webhookDeliveries } from '../../observability/metrics';
import { isLastAttempt } from '../last-attempt';

/**
 * SPEC §8 webhooks. One attempt per activity attempt, each written to the delivery log; Temporal
 * retries with exponential backoff. A final 4xx (not 408/429) is not retried. The workflow
 * dead-letters a delivery whose last attempt failed.
 */
export function createWebhookActivities(db: Db, secretBox: SecretBox) {
  return {
    async deliverWebhook(delivery: WebhookDelivery): Promise<{ statusCode: number }> {
      const app = await findApp(db, secretBox, delivery.appKey);
      if (!app)
        throw ApplicationFailure.create({ type: 'WebhookAppUnknown', message: `no app "${delivery.appKey}" to sign the webhook with`, nonRetryable: true });
      const result = await sendWebhook(delivery, app.secret);
      await logWebhookAttempt(db, delivery, Context.current().info.attempt, result);
      webhookDeliveries.inc({ result: result.outcome === 'delivered' ? 'delivered' : result.outcome === 'rejected' || isLastAttempt() ? 'failed' : 'retried' });
      if (result.outcome === 'delivered') return { statusCode: result.statusCode! };
      throw ApplicationFailure.create({
        type: result.outcome === 'rejected' ? 'WebhookRejected' : 'WebhookUndelivered',
        message: result.error ?? 'not delivered',
        nonRetryable: result.outcome === 'rejected',
        details: [{ status: result.statusCode ?? null }],
      });
    },

    async deadLetterWebhook(input: { delivery: WebhookDelivery; error: string; statusCode?: number }): Promise<void> {
      await deadLetterWebhook(db, input.delivery, input.error, input.statusCode);
      webhookDeadLettersCreated.inc({});
    },
  };
}
