import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';

/** gRPC's NOT_FOUND status code. */
const GRPC_NOT_FOUND = 5;

/**
 * Temporal says "no such workflow" two ways: the client's WorkflowNotFoundError, and a NOT_FOUND
 * gRPC status (an update or signal to a workflow that has closed).
 */
export function isWorkflowNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND);
}
