import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { activityInterceptors } from '../observability/activity-interceptors';
import { workflowTracingSinks, type Tracing } from '../observability/tracing';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';

export interface ApprovalWorkerOptions extends ActivityDependencies {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Prebuilt bundle (`npm run build:workflows`); without one the worker bundles at start. */
  workflowBundle?: WorkflowBundleOption;
  /** OpenTelemetry (observability/tracing.ts); without it nothing is traced here. */
  tracing?: Tracing;
}

/** The worker that runs approval workflows and all their activities. */
export function createApprovalWorker(options: ApprovalWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    // A bundle holds its workflow interceptors (workflow-bundle.ts); bundling here adds the same ones.
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    interceptors: {
      activity: activityInterceptors(options.tracing),
      ...(options.workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks: workflowTracingSinks(options.tracing),
    activities: createActivities(options),
    // Let in-flight activities finish (projection writes, ERP calls) before the process exits.
    shutdownGraceTime: '10s',
  });
}
