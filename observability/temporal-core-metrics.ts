import type { MetricsExporterConfig } from '@temporalio/worker';
import { freePortBelowEphemeralRange } from '../runtime/free-port';

/**
 * The Temporal SDK core's own metrics (task slots, poll and schedule-to-start latencies, the sticky
 * cache, RPCs): its Prometheus exporter listens on a loopback port of its own, and this process's
 * `/metrics` fetches that text and appends it, so ops scrape one URL per process.
 */

let coreMetricsUrl: string | undefined;

/** `telemetryOptions.metrics` for `Runtime.install`: Prometheus conventions (seconds, `_total`, unit suffixes). */
export async function temporalCoreMetrics(): Promise<MetricsExporterConfig> {
  const bindAddress = `127.0.0.1:${await freePortBelowEphemeralRange()}`;
  coreMetricsUrl = `http://${bindAddress}/metrics`;
  return { prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } };
}

/** The core's metrics as Prometheus text; empty when this process runs no worker (the standalone API) or the core does not answer. */
export async function temporalCoreMetricsText(): Promise<string> {
  if (!coreMetricsUrl) return '';
  try {
    const response = await fetch(coreMetricsUrl, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

/**
 * The core families the dashboard (ops/grafana/dashboards/approvals.json) reads, as the core names
 * them with the options above; the metrics integration test checks that a real worker exports each.
 */
export const TEMPORAL_CORE_FAMILIES = [
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_workflow_task_schedule_to_start_latency_seconds',
  'temporal_activity_schedule_to_start_latency_seconds',
  'temporal_sticky_cache_size',
  'temporal_workflow_task_execution_latency_seconds',
  'temporal_activity_execution_latency_seconds',
] as const;
