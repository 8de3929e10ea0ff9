import type { ClientInterceptors, Next, WorkflowClientInterceptor } from '@temporalio/client';
import type { Headers } from '@temporalio/common';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { currentLogFields } from './log-context';
import { withRequestId } from '../temporal-config/request-id-header';
import type { Tracing } from './tracing';

/** `headers` with the current request's id added (when the call is made within a request). */
const withCurrentRequestId = (headers: Headers) => withRequestId(headers, currentLogFields().requestId);

type Intercepted = 'startWithDetails' | 'signal' | 'signalWithStart' | 'startUpdate' | 'startUpdateWithStart';
type InputOf<M extends Intercepted> = Parameters<Next<WorkflowClientInterceptor, M>>[0];

/** Every message that makes a workflow work (its start, an update, a signal) carries the id of the API request that sent it. */
class RequestIdClientInterceptor implements Pick<WorkflowClientInterceptor, Intercepted> {
  startWithDetails(input: InputOf<'startWithDetails'>, next: Next<WorkflowClientInterceptor, 'startWithDetails'>) {
    return next({ ...input, headers: withCurrentRequestId(input.headers) });
  }

  signal(input: InputOf<'signal'>, next: Next<WorkflowClientInterceptor, 'signal'>) {
    return next({ ...input, headers: withCurrentRequestId(input.headers) });
  }

  signalWithStart(input: InputOf<'signalWithStart'>, next: Next<WorkflowClientInterceptor, 'signalWithStart'>) {
    return next({ ...input, headers: withCurrentRequestId(input.headers) });
  }

  startUpdate(input: InputOf<'startUpdate'>, next: Next<WorkflowClientInterceptor, 'startUpdate'>) {
    return next({ ...input, headers: withCurrentRequestId(input.headers) });
  }

  startUpdateWithStart(input: InputOf<'startUpdateWithStart'>, next: Next<WorkflowClientInterceptor, 'startUpdateWithStart'>) {
    return next({ ...input, workflowStartHeaders: withCurrentRequestId(input.workflowStartHeaders), updateHeaders: withCurrentRequestId(input.updateHeaders) });
  }
}

/** The interceptors of a Client that talks to approval workflows: the request id always, the trace context when tracing is on. */
export function temporalClientInterceptors(tracing: Tracing | undefined): ClientInterceptors {
  return {
    workflow: [...(tracing ? [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer('api') })] : []), new RequestIdClientInterceptor()],
  };
}
