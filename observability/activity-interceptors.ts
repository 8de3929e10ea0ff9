import type { Context as ActivityContext } from '@temporalio/activity';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  ActivityOutboundCallsInterceptor,
  GetLogAttributesInput,
  Next,
} from '@temporalio/worker';
import { definedOnly, runWithLogFields, type LogFields } from './log-context';
import { requestIdOf } from '../temporal-config/request-id-header';
import type { Tracing } from './tracing';

/** The task and the action an activity's input names at its top level (a notice about a task, a hand-over). */
function idsOf(input: unknown): Pick<LogFields, 'taskId' | 'actionId'> {
  if (typeof input !== 'object' || input === null) return {};
  const { taskId, actionId } = input as Record<string, unknown>;
  return { ...(typeof taskId === 'string' ? { taskId } : {}), ...(typeof actionId === 'string' ? { actionId } : {}) };
}

/**
 * Runs each activity in a log context of its own: its instance (the workflow id), its type, the
 * request whose message caused it (the header workflows/interceptors.ts set) and the task or
 * action of its input. Lines the activity logs carry them, and so do the SDK's own lines about it
 * (`Activity completed`, `Activity failed`: the outbound side's log attributes).
 */
class ActivityLogContext {
  private fields: LogFields;

  constructor(ctx: ActivityContext) {
    this.fields = { instanceId: ctx.info.workflowExecution?.workflowId, activityType: ctx.info.activityType };
  }

  readonly inbound: ActivityInboundCallsInterceptor = {
    execute: (input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) => {
      this.fields = { ...this.fields, requestId: requestIdOf(input.headers), ...idsOf(input.args[0]) };
      return runWithLogFields(this.fields, () => next(input));
    },
  };

  readonly outbound: ActivityOutboundCallsInterceptor = {
    getLogAttributes: (input: GetLogAttributesInput, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>) =>
      next({ ...input, ...definedOnly(this.fields) }),
  };
}

/** The worker's activity interceptors: the trace span first (so the log context sees it), then the log context. */
export function activityInterceptors(tracing: Tracing | undefined): ActivityInterceptorsFactory[] {
  const traced: ActivityInterceptorsFactory[] = tracing
    ? [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer('worker') }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ]
    : [];
  return [
    ...traced,
    (ctx) => {
      const context = new ActivityLogContext(ctx);
      return { inbound: context.inbound, outbound: context.outbound };
    },
  ];
}
