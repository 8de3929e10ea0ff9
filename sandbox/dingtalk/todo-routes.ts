import type { Hono } from 'hono';
import { z } from 'zod';
import { apiError, apiOk } from './answers';
import type { CallPipeline } from './call-pipeline';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { describeIssues } from './request-fields';
import type { FakeTodo } from './todo-book';

const createError = (message: string) => apiError(400, 'todo.taskCreate.paramError', message);
const updateError = (message: string) => apiError(400, 'todo.taskUpdate.paramError', message);
const TASK_NOT_EXIST = () => updateError('task not exist');

const unionIds = z.array(z.string().min(1));

const createBody = z.looseObject({
  sourceId: z.string().min(1).optional(),
  subject: z.string({ error: 'subject is required' }).min(1, 'subject is required').max(1024, 'subject is longer than 1024 characters'),
  description: z.string().optional(),
  executorIds: unionIds.optional(),
  participantIds: unionIds.optional(),
  detailUrl: z.looseObject(
    { appUrl: z.string().min(1, 'detailUrl.appUrl is required'), pcUrl: z.string().min(1, 'detailUrl.pcUrl is required') },
    { error: 'detailUrl is required' },
  ),
  dueTime: z.number().int().optional(),
  priority: z.union([z.literal(10), z.literal(20), z.literal(30), z.literal(40)]).optional(),
  notifyConfigs: z.looseObject({ dingNotify: z.string().optional() }).optional(),
});

const updateBody = z.looseObject({
  subject: z.string().min(1).max(1024, 'subject is longer than 1024 characters').optional(),
  description: z.string().optional(),
  dueTime: z.number().int().optional(),
  done: z.boolean().optional(),
  executorIds: unionIds.optional(),
  participantIds: unionIds.optional(),
});

const executorStatusBody = z.looseObject({
  executorStatusList: z.array(z.looseObject({ id: z.string().min(1), isDone: z.boolean() })).min(1, 'executorStatusList is empty'),
});

/** What DingTalk answers about a todo (create and look-up). */
function todoView(todo: FakeTodo): Record<string, unknown> {
  return {
    id: todo.id,
    subject: todo.subject,
    ...(todo.description === undefined ? {} : { description: todo.description }),
    ...(todo.sourceId === undefined ? {} : { sourceId: todo.sourceId }),
    ...(todo.dueTime === undefined ? {} : { dueTime: todo.dueTime }),
    ...(todo.priority === undefined ? {} : { priority: todo.priority }),
    done: todo.done,
    ...(todo.doneAt === undefined ? {} : { finishTime: todo.doneAt }),
    executorIds: todo.executorIds,
    participantIds: todo.participantIds,
    detailUrl: todo.detailUrl,
    ...(todo.creatorId === undefined ? {} : { creatorId: todo.creatorId }),
    createdTime: todo.createdTime,
    modifiedTime: todo.modifiedTime,
    bizTag: 'sandbox',
  };
}

/** 待办: ids in paths, `operatorId` and executor lists are unionIds (a userId is refused as unknown). */
export function registerTodoRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  const unknownUnionIds = (ids: Array<string | undefined>): string[] =>
    ids.filter((id): id is string => id !== undefined && !state.directory.userByUnionId(id));

  app.post(
    '/v1.0/todo/users/:unionId/tasks',
    pipeline.authed({ api: 'todo.create', host: 'api', paramError: createError }, ({ body, param, query }) => {
      const parsed = createBody.safeParse(body ?? {});
      if (!parsed.success) return createError(describeIssues(parsed.error));
      const request = parsed.data;
      const owner = param('unionId');
      const operatorId = query('operatorId');
      const unknown = unknownUnionIds([owner, operatorId, ...(request.executorIds ?? []), ...(request.participantIds ?? [])]);
      if (unknown.length > 0) return createError(`unionId not exist: ${[...new Set(unknown)].join(', ')}`);
      const created = state.todoBook.create(
        {
          ownerUnionId: owner,
          ...(operatorId ? { creatorId: operatorId } : {}),
          ...(request.sourceId === undefined ? {} : { sourceId: request.sourceId }),
          subject: request.subject,
          ...(request.description === undefined ? {} : { description: request.description }),
          detailUrl: { appUrl: request.detailUrl.appUrl, pcUrl: request.detailUrl.pcUrl },
          executorIds: request.executorIds ?? [],
          participantIds: request.participantIds ?? [],
          ...(request.dueTime === undefined ? {} : { dueTime: request.dueTime }),
          ...(request.priority === undefined ? {} : { priority: request.priority }),
        },
        state.now(),
      );
      if (created === 'task exist') return createError('task exist');
      return apiOk(todoView(created));
    }),
  );

  app.put(
    '/v1.0/todo/users/:unionId/tasks/:taskId',
    pipeline.authed({ api: 'todo.update', host: 'api', paramError: updateError }, ({ body, param }) => {
      const parsed = updateBody.safeParse(body ?? {});
      if (!parsed.success) return updateError(describeIssues(parsed.error));
      const todo = state.todoBook.visibleTo(param('unionId'), param('taskId'));
      if (!todo) return TASK_NOT_EXIST();
      const unknown = unknownUnionIds([...(parsed.data.executorIds ?? []), ...(parsed.data.participantIds ?? [])]);
      if (unknown.length > 0) return updateError(`unionId not exist: ${unknown.join(', ')}`);
      const { subject, description, dueTime, done, executorIds, participantIds } = parsed.data;
      state.todoBook.update(
        todo,
        {
          ...(subject === undefined ? {} : { subject }),
          ...(description === undefined ? {} : { description }),
          ...(dueTime === undefined ? {} : { dueTime }),
          ...(done === undefined ? {} : { done }),
          ...(executorIds === undefined ? {} : { executorIds }),
          ...(participantIds === undefined ? {} : { participantIds }),
        },
        state.now(),
      );
      return apiOk({ result: true });
    }),
  );

  app.put(
    '/v1.0/todo/users/:unionId/tasks/:taskId/executorStatus',
    pipeline.authed({ api: 'todo.executorStatus', host: 'api', paramError: updateError }, ({ body, param }) => {
      const parsed = executorStatusBody.safeParse(body ?? {});
      if (!parsed.success) return updateError(describeIssues(parsed.error));
      const todo = state.todoBook.visibleTo(param('unionId'), param('taskId'));
      if (!todo) return TASK_NOT_EXIST();
      const strangers = parsed.data.executorStatusList.map((s) => s.id).filter((id) => !todo.executorIds.includes(id));
      if (strangers.length > 0) return updateError(`not an executor of the task: ${strangers.join(', ')}`);
      state.todoBook.setExecutorStatus(
        todo,
        parsed.data.executorStatusList.map(({ id, isDone }) => ({ id, isDone })),
        state.now(),
      );
      return apiOk({ result: true });
    }),
  );

  app.delete(
    '/v1.0/todo/users/:unionId/tasks/:taskId',
    pipeline.authed({ api: 'todo.delete', host: 'api', paramError: updateError }, ({ param }) => {
      const todo = state.todoBook.visibleTo(param('unionId'), param('taskId'));
      if (!todo) return TASK_NOT_EXIST();
      state.todoBook.delete(todo.id);
      return apiOk({ result: true });
    }),
  );

  app.get(
    '/v1.0/todo/users/:unionId/tasks/sources/:sourceId',
    pipeline.authed({ api: 'todo.getBySource', host: 'api', paramError: updateError }, ({ param }) => {
      const todo = state.todoBook.bySourceFor(param('unionId'), param('sourceId'));
      return todo ? apiOk(todoView(todo)) : TASK_NOT_EXIST();
    }),
  );
}
