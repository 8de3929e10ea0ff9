import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities';
import { WORKFLOWS_PATH } from './workflow-bundle';

export interface ApprovalWorkerOptions extends ActivityDependencies {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Prebuilt bundle (`npm run build:workflows`); without one the worker bundles at start. */
  workflowBundle?: WorkflowBundleOption;
}

/** The worker that runs approval workflows and all their activities. */
export function createApprovalWorker(options: ApprovalWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options),
    // Let in-flight activities finish (projection writes, ERP calls) before the process exits.
    shutdownGraceTime: '10s',
  });
}
