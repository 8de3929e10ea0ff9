import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric of the service, in one place (SPEC §9), on one registry per process:
 * the API and the worker of `npm start` share it, and each process's `/metrics` serves it (with
 * the Temporal core's own metrics appended, observability/metrics-text.ts). Label values come from
 * small fixed sets (or are folded by observability/bounded-label.ts): never a user, an instance,
 * a raw path or a secret. Node's own metrics (`process_*`, `nodejs_*`) come under their standard names.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

type Labels = Record<string, string>;
type NoLabels = Record<never, string>;

const registers = [metricsRegistry];

/** Request and outbound-call latencies: 5 ms to 10 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** State change to projection row: a local activity normally (ms), a worker restart or a retry (s). */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function counter<L extends Labels>(name: string, help: string, labelNames: ReadonlyArray<keyof L & string>) {
  const metric = new Counter({ name, help, labelNames, registers });
  return { name, inc: (labels: L, by = 1) => metric.inc(labels, by) };
}

function histogram<L extends Labels>(name: string, help: string, labelNames: ReadonlyArray<keyof L & string>, buckets = LATENCY_BUCKETS) {
  const metric = new Histogram({ name, help, labelNames, buckets, registers });
  return { name, observe: (labels: L, seconds: number) => metric.observe(labels, seconds) };
}

/** A gauge set at scrape time from what it measures (observability/database-gauges.ts). */
function gauge<L extends Labels>(name: string, help: string, labelNames: ReadonlyArray<keyof L & string>) {
  const metric = new Gauge({ name, help, labelNames, registers });
  return { name, set: (labels: L, value: number) => metric.set(labels, value), reset: () => metric.reset() };
}

export type StartResult = 'created' | 'existing' | 'refused' | 'error';
export type ActionResult = 'ok' | 'refused' | 'error';
/** Per attempt: `retried` failed and will be tried again, `failed` was the last try (a final 4xx, or the attempts ran out). */
export type WebhookResult = 'delivered' | 'retried' | 'failed';
export type ErpCallKind = 'service' | 'compensate' | 'write_back';
/** `rejected`: a final 4xx · `unavailable`: another status, retried · `unreachable`: no answer · `not_configured`: no such system or operation · `error`: ours (the database). */
export type ErpCallOutcome = 'ok' | 'rejected' | 'unavailable' | 'unreachable' | 'not_configured' | 'error';
export type CompensationResult = 'compensated' | 'failed';
/** `retry`: DingTalk failed in a way a retry may fix; the reconciliation runs again. */
export type ChannelResult = 'ok' | 'failed' | 'retry';

export const httpRequests = counter<{ method: string; route: string; status: string }>(
  'approval_http_requests_total',
  'HTTP requests answered, by method, declared route pattern (`unmatched`: no route; `h5`: the H5 app) and status',
  ['method', 'route', 'status'],
);

export const httpRequestDuration = histogram<{ method: string; route: string; status: string }>(
  'approval_http_request_duration_seconds',
  'Time to answer an HTTP request, by method, route pattern and status',
  ['method', 'route', 'status'],
);

export const instancesStarted = counter<{ flow: string; result: StartResult }>(
  'approval_instances_started_total',
  'Start requests by flow: created a new instance, found the existing one (an idempotent repeat), refused (4xx) or failed (5xx)',
  ['flow', 'result'],
);

export const actions = counter<{ flow: string; type: string; result: ActionResult }>(
  'approval_actions_total',
  'Human and admin actions (approve, reject, …, terminate, reassign) by flow, type and result: ok, refused (4xx: the workflow or the API said no) or error',
  ['flow', 'type', 'result'],
);

export const webhookDeliveries = counter<{ result: WebhookResult }>(
  'approval_webhook_deliveries_total',
  'Webhook delivery attempts: delivered, retried (failed, tried again) or failed (the last try)',
  ['result'],
);

export const webhookDeadLettersCreated = counter<NoLabels>('approval_webhook_dead_letters_total', 'Webhooks dead-lettered after their last attempt failed', []);

export const webhookDeadLetters = gauge<NoLabels>(
  'approval_webhook_dead_letters',
  'Dead-lettered webhooks not replayed yet (read from PostgreSQL at scrape time)',
  [],
);

export const erpCalls = counter<{ kind: ErpCallKind; result: ErpCallOutcome }>(
  'approval_erp_calls_total',
  'Calls to ERP systems (one per attempt) by kind (service node, compensation, write-back) and result',
  ['kind', 'result'],
);

export const erpCallDuration = histogram<{ kind: ErpCallKind }>('approval_erp_call_duration_seconds', 'Time an ERP took to answer (or to fail to), by kind', [
  'kind',
]);

export const compensations = counter<{ result: CompensationResult }>(
  'approval_compensations_total',
  'Saga compensations finished: compensated, or failed for good (the instance waits for ops)',
  ['result'],
);

export const dingtalkCalls = counter<{ api: string; result: string }>(
  'approval_dingtalk_calls_total',
  'DingTalk API calls (one per attempt) by operation and result: ok, or the failure class (throttled, token, server, network, parameter, …)',
  ['api', 'result'],
);

export const dingtalkCallDuration = histogram<{ api: string }>('approval_dingtalk_call_duration_seconds', 'Time DingTalk took to answer, by operation', [
  'api',
]);

export const dingtalkCards = counter<{ op: 'create' | 'update'; result: ChannelResult | 'fallback' }>(
  'approval_dingtalk_cards_total',
  'Approval cards created or updated: ok, fallback (not deliverable: a work notification went instead), failed or retry',
  ['op', 'result'],
);

export const dingtalkTodos = counter<{ op: 'create' | 'complete'; result: ChannelResult }>(
  'approval_dingtalk_todos_total',
  'DingTalk 待办 created or completed, by result',
  ['op', 'result'],
);

export const dingtalkNotifications = counter<{ kind: string; result: ChannelResult }>(
  'approval_dingtalk_notifications_total',
  'Work notifications of the outbox sent to DingTalk, by kind (reminder, urge, cc, escalated, handed_over, result) and result',
  ['kind', 'result'],
);

export const projectionLag = histogram<NoLabels>(
  'approval_projection_lag_seconds',
  'From a state change (its timeline event) to its PostgreSQL projection being written',
  [],
  LAG_BUCKETS,
);

export const notificationOutboxDepth = gauge<NoLabels>(
  'approval_notification_outbox_depth',
  'Notifications waiting in the outbox to be sent to DingTalk (state pending; read from PostgreSQL at scrape time)',
  [],
);

export const pendingTasks = gauge<{ flow: string }>('approval_pending_tasks', 'Pending approval tasks (待办) by flow (read from PostgreSQL at scrape time)', [
  'flow',
]);

/** The families this catalogue defines, as `/metrics` names them (a histogram's samples add `_bucket`, `_sum`, `_count`). */
export function catalogueFamilies(): string[] {
  return metricsRegistry.getMetricsAsArray().map((metric) => metric.name);
}
