import { parseInstanceId } from '../engine/instance-id';
import { flowLabel } from '../observability/bounded-label';
import { actions, instancesStarted } from '../observability/metrics';
import { ApiError } from './errors';
import { stringField } from './input-field';
import { actionBody, type ActionBody } from './schemas/actions';

/**
 * Starts and actions counted where every one passes: the routes that take them (by operation id,
 * below) and the DingTalk card clicks (api/services/card-clicks.ts). Each is counted once, when
 * it settles: ok, refused (a 4xx: the API or the workflow's validator said no) or error.
 */

export type ActionType = ActionBody['type'] | 'terminate' | 'reassign' | 'retry_compensations';

/** A flow code named by a request for something that does not exist is the caller's word, not a flow: it is not a label. */
const UNKNOWN_TARGET = new Set(['FLOW_NOT_FOUND', 'INSTANCE_NOT_FOUND']);

function flowOf(flowCode: string | undefined, err?: unknown): string {
  if (flowCode === undefined || (err instanceof ApiError && UNKNOWN_TARGET.has(err.code))) return 'unknown';
  return flowLabel(flowCode);
}

const failureResult = (err: unknown) => (err instanceof ApiError && err.status < 500 ? ('refused' as const) : ('error' as const));

/** `work`, counted as an action of `type` on `instanceId` once it settles. */
export function countedAction<T>(instanceId: string, type: ActionType, work: Promise<T>): Promise<T> {
  const flowCode = parseInstanceId(instanceId)?.flowCode;
  work.then(
    () => actions.inc({ flow: flowOf(flowCode), type, result: 'ok' }),
    (err: unknown) => actions.inc({ flow: flowOf(flowCode, err), type, result: failureResult(err) }),
  );
  return work;
}

const statusOf = (reply: unknown) => (typeof reply === 'object' && reply !== null ? Reflect.get(reply, 'status') : undefined);

/** A start request's answer, counted: 201 created, 200 the existing instance. */
function countedStart<T>(flowCode: string | undefined, work: Promise<T>): Promise<T> {
  work.then(
    (reply) => instancesStarted.inc({ flow: flowOf(flowCode), result: statusOf(reply) === 201 ? 'created' : 'existing' }),
    (err: unknown) => instancesStarted.inc({ flow: flowOf(flowCode, err), result: failureResult(err) }),
  );
  return work;
}

interface RouteInputFields {
  params: unknown;
  body: unknown;
}

const ACTION_TYPES: ReadonlySet<string> = new Set(actionBody.options.map((option) => option.shape.type.value));
const isActionType = (type: string | undefined): type is ActionBody['type'] => type !== undefined && ACTION_TYPES.has(type);

type Counting = { start: string | undefined } | { instanceId: string; type: ActionType };

const actionOn =
  (type: ActionType) =>
  ({ params }: RouteInputFields) => ({ instanceId: stringField(params, 'id') ?? '', type });

/** The routes whose calls are counted, by operation id (a unit test holds each to a declared route). */
export const COUNTED_ROUTES: Readonly<Record<string, (input: RouteInputFields) => Counting | undefined>> = {
  startInstance: ({ body }) => ({ start: stringField(body, 'flowCode') }),
  actOnInstance: (input) => {
    const type = stringField(input.body, 'type');
    return isActionType(type) ? actionOn(type)(input) : undefined;
  },
  terminateInstance: actionOn('terminate'),
  reassignTask: actionOn('reassign'),
  retryCompensations: actionOn('retry_compensations'),
};

/** Runs a route's handler; a counted route's outcome is counted (its input has passed its schemas, so `type` is one of the declared ones). */
export function countedRoute<T>(operationId: string, input: RouteInputFields, handle: () => Promise<T>): Promise<T> {
  const counting = COUNTED_ROUTES[operationId]?.(input);
  if (!counting) return handle();
  return 'start' in counting ? countedStart(counting.start, handle()) : countedAction(counting.instanceId, counting.type, handle());
}
