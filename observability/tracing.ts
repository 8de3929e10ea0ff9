import { context, propagation, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { makeWorkflowExporter, type OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks } from '@temporalio/worker';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** The API (HTTP and the Temporal client) and the worker (workflows and activities): one service each in the traces, also in one `npm start` process. */
export type TracedSide = 'api' | 'worker';

const DEFAULT_SERVICE_NAMES: Record<TracedSide, string> = { api: 'approval-api', worker: 'approval-worker' };

export interface Tracing {
  tracer(side: TracedSide): Tracer;
  /** The worker's sink by which spans leave the workflow sandbox (workflows/interceptors.ts makes them). */
  workflowSinks(): InjectedSinks<OpenTelemetrySinks>;
  /** Sends what is still buffered. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of OTLP (tests: an in-memory exporter); tracing is on with it whatever the environment says. */
  spanProcessor?: SpanProcessor;
}

/**
 * OpenTelemetry traces (SPEC §9), on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-only
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: spans are batched to that OTLP/HTTP endpoint,
 * named by `OTEL_SERVICE_NAME` (default approval-api / approval-worker). Unset: undefined, and
 * nothing is registered, created or sent.
 */
export function startTracing(options: TracingOptions = {}): Tracing | undefined {
  const env = options.env ?? process.env;
  if (!options.spanProcessor && !env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const processor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = (side: TracedSide) => new Resource({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAMES[side] });
  const providers = {
    api: new BasicTracerProvider({ resource: resource('api'), spanProcessors: [processor] }),
    worker: new BasicTracerProvider({ resource: resource('worker'), spanProcessors: [processor] }),
  };
  return {
    tracer: (side) => providers[side].getTracer('approval-orchestrator'),
    workflowSinks: () => ({ exporter: makeWorkflowExporter(processor, resource('worker')) }),
    shutdown: () => processor.shutdown(),
  };
}

/** A workflow traced by its caller hands its spans to this sink even on a worker without tracing: there they are dropped, not an "unregistered sink" error. */
const DROPPED_WORKFLOW_SPANS: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };

export function workflowTracingSinks(tracing: Tracing | undefined): InjectedSinks<OpenTelemetrySinks> {
  return tracing ? tracing.workflowSinks() : DROPPED_WORKFLOW_SPANS;
}
