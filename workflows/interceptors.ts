import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Headers } from '@temporalio/common';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import type * as OpenTelemetryWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  ActivityInput,
  ContinueAsNewInput,
  DisposeInput,
  GetLogAttributesInput,
  LocalActivityInput,
  Next,
  QueryInput,
  SignalInput,
  SignalWorkflowInput,
  StartChildWorkflowExecutionInput,
  UpdateInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { requestIdOf, withRequestId } from '../temporal-config/request-id-header';
import { currentRequestId, handlingRequest } from './message-cause';

/*
 * The workflow side of logs and traces (workers/workflow-bundle.ts bundles this module). Each
 * method hands over to the next one at once, without an `await` of its own: the order in which
 * the workflow's coroutines run, and so its commands, stays what it was without interceptors.
 * A message without a trace header is not traced, so an untraced workflow creates no tracer and
 * no span, and a history replays the same way whatever the worker's own settings.
 */

const withCausingRequest = (headers: Headers) => withRequestId(headers, currentRequestId());

const isTraced = (headers: Headers) => headers[TRACE_HEADER] !== undefined;

/**
 * Temporal's OpenTelemetry interceptors, made at the first traced message. Their module (with the
 * OpenTelemetry SDK's tracer and semantic conventions) is loaded then too: every workflow sets its
 * modules up anew, and that set-up cost an untraced workflow about 6 % of its workflow-thread CPU.
 */
class LazyTracing {
  private made?: {
    inbound: OpenTelemetryWorkflow.OpenTelemetryInboundInterceptor;
    outbound: OpenTelemetryWorkflow.OpenTelemetryOutboundInterceptor;
    internals: OpenTelemetryWorkflow.OpenTelemetryInternalsInterceptor;
  };

  get() {
    if (!this.made) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above; webpack still bundles it
      const otel = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OpenTelemetryWorkflow;
      this.made = {
        inbound: new otel.OpenTelemetryInboundInterceptor(),
        outbound: new otel.OpenTelemetryOutboundInterceptor(),
        internals: new otel.OpenTelemetryInternalsInterceptor(),
      };
    }
    return this.made;
  }

  isMade(): boolean {
    return this.made !== undefined;
  }

  /** A span of a traced message is active: what is scheduled now joins its trace. */
  isActive(): boolean {
    const span = this.made ? trace.getSpan(context.active())?.spanContext() : undefined;
    return span !== undefined && isSpanContextValid(span);
  }
}

/** Each message runs as caused by its request (message-cause.ts), and in its sender's trace when it has one. */
class CauseInboundInterceptor implements WorkflowInboundCallsInterceptor {
  constructor(private readonly tracing: LazyTracing) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return handlingRequest(requestIdOf(input.headers), () => (isTraced(input.headers) ? this.tracing.get().inbound.execute(input, next) : next(input)));
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return handlingRequest(requestIdOf(input.headers), () => (isTraced(input.headers) ? this.tracing.get().inbound.handleUpdate(input, next) : next(input)));
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    if (isTraced(input.headers)) this.tracing.get().inbound.validateUpdate(input, next);
    else next(input);
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return handlingRequest(requestIdOf(input.headers), () => (isTraced(input.headers) ? this.tracing.get().inbound.handleSignal(input, next) : next(input)));
  }

  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    return isTraced(input.headers) ? this.tracing.get().inbound.handleQuery(input, next) : next(input);
  }
}

/** What the workflow schedules carries the request id of its cause, and the trace context when one is active. */
class CauseOutboundInterceptor implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly tracing: LazyTracing) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    const caused = { ...input, headers: withCausingRequest(input.headers) };
    return this.tracing.isActive() ? this.tracing.get().outbound.scheduleActivity(caused, next) : next(caused);
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    const caused = { ...input, headers: withCausingRequest(input.headers) };
    return this.tracing.isActive() ? this.tracing.get().outbound.scheduleLocalActivity(caused, next) : next(caused);
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    const caused = { ...input, headers: withCausingRequest(input.headers) };
    return this.tracing.isActive() ? this.tracing.get().outbound.startChildWorkflowExecution(caused, next) : next(caused);
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    const caused = { ...input, headers: withCausingRequest(input.headers) };
    return this.tracing.isActive() ? this.tracing.get().outbound.signalWorkflow(caused, next) : next(caused);
  }

  /** The next run is no request's doing: it keeps the trace only. */
  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    return this.tracing.isActive() ? this.tracing.get().outbound.continueAsNew(input, next) : next(input);
  }

  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const requestId = currentRequestId();
    const attributes = requestId ? { ...input, requestId } : input;
    return this.tracing.isMade() ? this.tracing.get().outbound.getLogAttributes(attributes, next) : next(attributes);
  }
}

class TracingInternalsInterceptor implements WorkflowInternalsInterceptor {
  constructor(private readonly tracing: LazyTracing) {}

  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    if (this.tracing.isMade()) void this.tracing.get().internals.dispose(input, next);
    else next(input);
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const tracing = new LazyTracing();
  return {
    inbound: [new CauseInboundInterceptor(tracing)],
    outbound: [new CauseOutboundInterceptor(tracing)],
    internals: [new TracingInternalsInterceptor(tracing)],
  };
};
