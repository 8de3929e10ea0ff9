import { proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { ApprovalActivities } from '../activities';
import type { RetryLimits, RetrySettings } from '../engine/instance';
import { finalFailureTypes, retryPolicies } from '../temporal-config';

/** Org lookups of instances started before `localLookups`, and the notification outbox: Postgres, retried like any database call. */
export const { resolveApprovers, notify } = proxyActivities<ApprovalActivities>({
  startToCloseTimeout: '30s',
  retry: retryPolicies.database,
});

/**
 * Short, idempotent Postgres work: local activities, run in the workflow task that asks for them,
 * so they cost one marker event each (no activity task, no second workflow task). Approver lookups
 * run here for instances with `localLookups`: an action's answer then holds the next task.
 */
export const {
  projectInstance,
  deadLetterWebhook,
  resolveApprovers: resolveApproversLocally,
} = proxyLocalActivities<ApprovalActivities>({
  startToCloseTimeout: '10s',
  retry: retryPolicies.database,
});

/** Retry limits of the ERP-facing activities, unless the start input shortens them. */
const DEFAULT_RETRIES = {
  /** ~2 minutes of trying before a service node fails the instance. */
  service: { maximumAttempts: 8, initialIntervalMs: 1_000, maximumIntervalMs: 60_000 },
  /** ~1 hour before a compensation is given up (the instance then waits for ops). */
  compensation: { maximumAttempts: 20, initialIntervalMs: 1_000, maximumIntervalMs: 300_000 },
  /** ~3 hours before a webhook goes to the dead-letter table. */
  webhook: { maximumAttempts: 15, initialIntervalMs: 1_000, maximumIntervalMs: 900_000 },
  writeBack: { maximumAttempts: 10, initialIntervalMs: 1_000, maximumIntervalMs: 300_000 },
  /** DingTalk down: about a day of trying (then the next change of the instance tries again). */
  channel: { maximumAttempts: 300, initialIntervalMs: 1_000, maximumIntervalMs: 300_000 },
} satisfies Record<string, RetryLimits>;

function retryPolicy(limits: RetryLimits, nonRetryableErrorTypes: string[]): RetryPolicy {
  return {
    initialInterval: limits.initialIntervalMs,
    backoffCoefficient: 2,
    maximumInterval: limits.maximumIntervalMs ?? Math.max(limits.initialIntervalMs, 60_000),
    maximumAttempts: limits.maximumAttempts,
    nonRetryableErrorTypes,
  };
}

/** The ERP and webhook activities, with this instance's retry limits. */
export function erpActivities(retries: RetrySettings = {}) {
  const erp = (limits: RetryLimits) => proxyActivities<ApprovalActivities>({ startToCloseTimeout: '30s', retry: retryPolicy(limits, finalFailureTypes.erp) });
  return {
    callService: erp(retries.service ?? DEFAULT_RETRIES.service).callErpOperation,
    compensate: erp(retries.compensation ?? DEFAULT_RETRIES.compensation).callErpOperation,
    writeBack: erp(retries.writeBack ?? DEFAULT_RETRIES.writeBack).writeBackToErp,
    deliverWebhook: proxyActivities<ApprovalActivities>({
      startToCloseTimeout: '30s',
      retry: retryPolicy(retries.webhook ?? DEFAULT_RETRIES.webhook, finalFailureTypes.webhook),
    }).deliverWebhook,
  };
}
export type ErpActivities = ReturnType<typeof erpActivities>;

/** The DingTalk channel's reconciliation: a few calls per task, each retried by the client, so a minute is plenty. */
export function channelActivity(retries: RetrySettings = {}) {
  return proxyActivities<ApprovalActivities>({
    startToCloseTimeout: '60s',
    retry: retryPolicy(retries.channel ?? DEFAULT_RETRIES.channel, []),
  }).syncApproverChannel;
}
export type ChannelActivity = ReturnType<typeof channelActivity>;
