import type { LogFields } from '../observability/log-context';
import { stringField } from './input-field';

const INSTANCE_ROUTE = '/api/v1/instances/{id}';

/**
 * The ids a route's validated input names, for the request's log context: the instance of an
 * instance route (`{id}`), the action and the task a body names. Nothing else of a body is logged.
 */
export function routeLogFields(path: string, input: { params?: unknown; body?: unknown }): LogFields {
  return {
    ...(path === INSTANCE_ROUTE || path.startsWith(`${INSTANCE_ROUTE}/`) ? { instanceId: stringField(input.params, 'id') } : {}),
    actionId: stringField(input.body, 'actionId'),
    taskId: stringField(input.body, 'taskId'),
  };
}
