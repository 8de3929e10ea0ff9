import { callApi, startFake, stopFakes } from './fake-test-client';
import type { RunningFakeDingTalk } from './fake-dingtalk';

afterEach(stopFakes);

const todoBody = (sourceId: string, overrides: Record<string, unknown> = {}) => ({
  sourceId,
  subject: '一号审批人，请审批：办公椅',
  description: '金额 12345',
  executorIds: ['un_one'],
  detailUrl: { appUrl: 'http://127.0.0.1:3000/h5/tasks/i/t', pcUrl: 'http://127.0.0.1:3000/h5/tasks/i/t' },
  notifyConfigs: { dingNotify: '1' },
  ...overrides,
});

const createTodo = (fake: RunningFakeDingTalk, body: unknown, unionId = 'un_one') =>
  callApi(fake, 'POST', `/v1.0/todo/users/${unionId}/tasks?operatorId=${unionId}`, body);

describe('todos', () => {
  it('create answers the todo; the user’s list holds it; a second create with the same sourceId is 400 “task exist”', async () => {
    const fake = await startFake();
    const created = await createTodo(fake, todoBody('approval:po:1/task-1'));
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^task/),
      subject: '一号审批人，请审批：办公椅',
      sourceId: 'approval:po:1/task-1',
      done: false,
      createdTime: expect.any(Number),
    });
    expect(fake.state.todosOf('un_one')).toEqual([
      expect.objectContaining({
        sourceId: 'approval:po:1/task-1',
        executorIds: ['un_one'],
        done: false,
        detailUrl: expect.objectContaining({ appUrl: expect.any(String) }),
      }),
    ]);
    expect(await createTodo(fake, todoBody('approval:po:1/task-1'))).toMatchObject({
      status: 400,
      json: { code: 'todo.taskCreate.paramError', message: 'task exist' },
    });
    expect(fake.state.todosOf('un_one')).toHaveLength(1);
  });

  it.each([
    ['a subject over 1024 characters', todoBody('s1', { subject: '长'.repeat(1025) })],
    ['no subject', todoBody('s2', { subject: undefined })],
    ['no detailUrl', todoBody('s3', { detailUrl: undefined })],
    ['a userId where a unionId belongs', todoBody('s4', { executorIds: ['dt_one'] })],
    ['a bad priority', todoBody('s5', { priority: 15 })],
  ])('create refuses %s with 400 todo.taskCreate.paramError', async (_what, body) => {
    const fake = await startFake();
    expect(await createTodo(fake, body)).toMatchObject({ status: 400, json: { code: 'todo.taskCreate.paramError' } });
  });

  it('refuses a userId in the path too', async () => {
    const fake = await startFake();
    expect(await createTodo(fake, todoBody('s6'), 'dt_one')).toMatchObject({ status: 400, json: { code: 'todo.taskCreate.paramError' } });
  });

  it('done, per-executor status, look-up by sourceId and delete; an unknown todo is 400 “task not exist”', async () => {
    const fake = await startFake();
    const created = await createTodo(fake, todoBody('src-2', { executorIds: ['un_one', 'un_two'] }));
    const id = created.json?.id as string;

    const found = await callApi(fake, 'GET', '/v1.0/todo/users/un_two/tasks/sources/src-2');
    expect(found).toMatchObject({ status: 200, json: { id, sourceId: 'src-2', done: false } });

    const status = await callApi(fake, 'PUT', `/v1.0/todo/users/un_one/tasks/${id}/executorStatus?operatorId=un_one`, {
      executorStatusList: [{ id: 'un_two', isDone: true }],
    });
    expect(status).toMatchObject({ status: 200, json: { result: true } });
    expect(fake.state.todosOf('un_two')[0]?.executorStatus).toEqual({ un_two: true });
    expect(fake.state.todosOf('un_one')[0]?.done).toBe(false);

    expect(await callApi(fake, 'PUT', `/v1.0/todo/users/un_one/tasks/${id}?operatorId=un_one`, { done: true })).toMatchObject({
      status: 200,
      json: { result: true },
    });
    expect(fake.state.todosOf('un_one')[0]).toMatchObject({ done: true, doneAt: expect.any(Number) });
    expect(fake.state.callCount('todo.update')).toBe(1);

    expect(await callApi(fake, 'DELETE', `/v1.0/todo/users/un_one/tasks/${id}?operatorId=un_one`)).toMatchObject({ status: 200, json: { result: true } });
    expect(fake.state.todosOf('un_one')).toEqual([]);

    const notExist = { status: 400, json: { code: 'todo.taskUpdate.paramError', message: 'task not exist' } };
    expect(await callApi(fake, 'PUT', `/v1.0/todo/users/un_one/tasks/${id}?operatorId=un_one`, { done: true })).toMatchObject(notExist);
    expect(await callApi(fake, 'GET', '/v1.0/todo/users/un_one/tasks/sources/src-2')).toMatchObject(notExist);
    expect(await callApi(fake, 'DELETE', `/v1.0/todo/users/un_one/tasks/${id}`)).toMatchObject(notExist);
    expect(
      await callApi(fake, 'PUT', `/v1.0/todo/users/un_one/tasks/${id}/executorStatus`, { executorStatusList: [{ id: 'un_one', isDone: true }] }),
    ).toMatchObject(notExist);
  });

  it('a todo is not found through a user it does not involve', async () => {
    const fake = await startFake();
    const created = await createTodo(fake, todoBody('src-3'));
    expect((await callApi(fake, 'GET', '/v1.0/todo/users/un_head/tasks/sources/src-3')).status).toBe(400);
    expect((await callApi(fake, 'PUT', `/v1.0/todo/users/un_head/tasks/${String(created.json?.id)}`, { done: true })).json?.code).toBe(
      'todo.taskUpdate.paramError',
    );
  });
});
