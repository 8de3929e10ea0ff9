import type { LogFields } from '../observability/log-context';

const INSTANCE_ROUTE = '/api/v1/instances/{id}';

const stringField = (value: unknown, key: string): string | undefined => {
  const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof field === 'string' ? field : undefined;
};

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
