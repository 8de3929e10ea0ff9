import { signedHeaders } from '../../protocol/request-signature';
import type { SignedClient } from '../../client/signed-client';
import { encodeCursor } from '../../db/keyset';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { line } from '../support/engine-driver';
import { actOk, taskOf, type ErrorBody } from '../support/action-fixtures';
import { expectOk, hasPendingTasks, publishFlow, uid, waitForView } from '../support/fixtures';
import { ProjectedDriver, waitForProjection } from '../support/projection-fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';
import type { InstanceSummary } from '../../db/instance-reads';
import type { TodoItem } from '../../db/task-center';

/**
 * SPEC §6 task center (`GET /tasks`) and instance lists (`GET /instances`), read from the
 * projection with keyset paging; their query validation and authentication.
 */

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

let stack: TestStack;

/** Users the tests start and assign with: each test takes its own assignees, so lists do not mix. */
const users = [
  { id: 'u_initiator', name: '发起人', deptIds: [] },
  { id: 'u_init2', name: '第二发起人', deptIds: [] },
  ...Array.from({ length: 12 }, (_, i) => ({ id: `tc_${i}`, name: `审批人${i}`, deptIds: [] })),
];

beforeAll(async () => {
  stack = await startTestStack();
  await expectOk(stack.api.request('POST', '/api/v1/sync/users', { mode: 'incremental', users }));
});
afterAll(() => stack?.stop());

const FORM = { fields: [{ key: 'amount', type: 'number' as const, required: true }] };

/** start → approve (`approvers`, `mode`) → end; published; answers its code and name. */
async function publishOneNode(approvers: string[], mode: 'any' | 'all' = 'any'): Promise<{ code: string; name: string }> {
  const code = uid('tc');
  const name = `任务中心 ${code}`;
  const definition: FlowDefinition = {
    code,
    name,
    form: FORM,
    nodes: [
      { id: 'start', type: 'start', next: 'approve' },
      { id: 'approve', type: 'approval', name: '部门审批', approvers: { type: 'users', ids: approvers }, mode, next: 'end' },
      { id: 'end', type: 'end' },
    ],
  };
  await publishFlow(stack.api, definition);
  return { code, name };
}

interface StartOptions {
  initiatorId?: string;
  source?: { system: string; type: string; id: string };
  businessKey?: string;
}

/** Starts an instance and waits until its pending tasks are projected. */
async function start(flowCode: string, options: StartOptions = {}): Promise<InstanceView> {
  const businessKey = options.businessKey ?? uid('BK');
  const body = {
    flowCode,
    businessKey,
    initiatorId: options.initiatorId ?? 'u_initiator',
    form: { amount: 10 },
    source: options.source ?? { system: 'erp', type: 'purchase.order', id: businessKey },
  };
  const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', body), 201);
  await waitForView(stack.api, started.instanceId, hasPendingTasks);
  return (await waitForProjection(stack, started.instanceId)).side.view;
}

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
};

const tasksPath = (params: Record<string, string | number | undefined>) => `/api/v1/tasks${query(params)}`;
const instancesPath = (params: Record<string, string | number | undefined>) => `/api/v1/instances${query(params)}`;

function todo(params: Record<string, string | number | undefined>, api: SignedClient = stack.api): Promise<Page<TodoItem>> {
  return expectOk<Page<TodoItem>>(api.request('GET', tasksPath(params)));
}

function instanceList(params: Record<string, string | number | undefined>): Promise<Page<InstanceSummary>> {
  return expectOk<Page<InstanceSummary>>(stack.api.request('GET', instancesPath(params)));
}

/** Follows nextCursor to the end; answers every page. */
async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = 100): Promise<Array<Page<T>>> {
  const pages: Array<Page<T>> = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > maxPages) throw new Error('paging does not end');
  } while (cursor !== undefined);
  return pages;
}

/** Newest first by (createdAt, instanceId, taskId) — all descending. */
function byNewestFirst(a: TodoItem, b: TodoItem): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.instanceId !== b.instanceId) return a.instanceId < b.instanceId ? 1 : -1;
  return a.taskId < b.taskId ? 1 : a.taskId > b.taskId ? -1 : 0;
}

describe('the todo list (GET /tasks)', () => {
  it('shows the pending tasks of an assignee with the SPEC fields and a title', async () => {
    const flow = await publishOneNode(['tc_0', 'tc_1']);
    const view = await start(flow.code);
    const task = taskOf(view, 'tc_0');

    const page = await todo({ assignee: 'tc_0' });
    expect(page).toEqual({
      items: [
        {
          taskId: task.taskId,
          instanceId: view.instanceId,
          flowCode: flow.code,
          nodeId: 'approve',
          nodeName: '部门审批',
          assigneeId: 'tc_0',
          status: 'pending',
          createdAt: task.createdAt,
          title: `${flow.name} · ${view.businessKey} · 发起人`,
        },
      ],
    });
    // status defaults to pending
    expect(await todo({ assignee: 'tc_0', status: 'pending' })).toEqual(page);
    // another assignee's list has their own task only
    expect((await todo({ assignee: 'tc_1' })).items.map((i) => i.taskId)).toEqual([taskOf(view, 'tc_1').taskId]);
    // nobody else sees them
    expect((await todo({ assignee: 'tc_11' })).items).toEqual([]);
  });

  it('after approve the task leaves pending and shows under status=approved; the cancelled one under status=cancelled', async () => {
    const flow = await publishOneNode(['tc_2', 'tc_3']);
    const view = await start(flow.code);
    expect((await todo({ assignee: 'tc_2' })).items).toHaveLength(1);

    const answer = await actOk(stack, view.instanceId, { type: 'approve', actorId: 'tc_2', comment: '同意' });
    expect(answer.status).toBe('approved');
    const approved = taskOf(answer, 'tc_2');

    expect((await todo({ assignee: 'tc_2' })).items).toEqual([]);
    expect((await todo({ assignee: 'tc_3' })).items).toEqual([]);
    expect((await todo({ assignee: 'tc_2', status: 'approved' })).items).toEqual([
      expect.objectContaining({
        taskId: approved.taskId,
        instanceId: view.instanceId,
        status: 'approved',
        completedAt: approved.completedAt,
        createdAt: approved.createdAt,
      }),
    ]);
    expect((await todo({ assignee: 'tc_3', status: 'cancelled' })).items).toEqual([
      expect.objectContaining({ taskId: taskOf(answer, 'tc_3').taskId, status: 'cancelled', assigneeId: 'tc_3' }),
    ]);
  });

  it('keyset paging over 7 real tasks with limit=3: every task once, newest first, no nextCursor on the last page', async () => {
    const flow = await publishOneNode(['tc_4']);
    const views: InstanceView[] = [];
    for (let i = 0; i < 7; i++) views.push(await start(flow.code));

    const pages = await allPages((cursor) => todo({ assignee: 'tc_4', limit: 3, cursor }));
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.nextCursor === undefined)).toEqual([false, false, true]);
    const items = pages.flatMap((p) => p.items);
    // newest first: the last instance started comes first
    expect(items.map((i) => i.instanceId)).toEqual(views.map((v) => v.instanceId).reverse());
    expect(items).toEqual([...items].sort(byNewestFirst));
    expect(new Set(items.map((i) => `${i.instanceId}/${i.taskId}`)).size).toBe(7);
    // the same order as one big page
    expect((await todo({ assignee: 'tc_4', limit: 100 })).items).toEqual(items);
    // a page cursor is stable: asking again gives the same page
    expect(await todo({ assignee: 'tc_4', limit: 3, cursor: pages[0]!.nextCursor })).toEqual(pages[1]);
  });

  it('keyset paging over many tasks sharing creation times: every task exactly once, in a total stable order, also while new tasks arrive', async () => {
    // 10 instances × 3 tasks (mode all), instances started in pairs at the same instant
    const base = Date.parse('2026-06-01T08:00:00.000Z');
    for (let i = 0; i < 10; i++) {
      const businessKey = `PAGE-${String(i).padStart(2, '0')}`;
      const p = new ProjectedDriver(
        { ...line(['n', ['tc_5', 'tc_6', 'tc_7']]), code: 'tc_paging', name: '分页' },
        { instanceId: `approval:tc_paging:${businessKey}`, businessKey },
        { now: new Date(base + Math.floor(i / 2) * 60_000).toISOString() },
      );
      await p.project(stack.database.db);
    }
    // every assignee: one task per instance; without assignee, all 30
    const expectedAll = (await todo({ flowCode: 'tc_paging', limit: 100 })).items;
    expect(expectedAll).toHaveLength(30);
    expect(expectedAll).toEqual([...expectedAll].sort(byNewestFirst));

    for (const limit of [1, 4, 7, 30]) {
      const pages = await allPages((cursor) => todo({ flowCode: 'tc_paging', limit, cursor }));
      expect(pages.flatMap((p) => p.items)).toEqual(expectedAll);
      expect(pages.at(-1)!.nextCursor).toBeUndefined();
      expect(pages.slice(0, -1).every((p) => p.items.length === limit && p.nextCursor !== undefined)).toBe(true);
    }

    const forOne = await allPages((cursor) => todo({ assignee: 'tc_6', flowCode: 'tc_paging', limit: 3, cursor }));
    const items = forOne.flatMap((p) => p.items);
    expect(items).toHaveLength(10);
    expect(items.every((i) => i.assigneeId === 'tc_6')).toBe(true);
    expect(items).toEqual(expectedAll.filter((i) => i.assigneeId === 'tc_6'));

    // a newer task written between two page requests shows on no later page; older ones still come once
    const first = await todo({ flowCode: 'tc_paging', limit: 5 });
    const late = new ProjectedDriver(
      { ...line(['n', ['tc_5']]), code: 'tc_paging', name: '分页' },
      { instanceId: 'approval:tc_paging:PAGE-99', businessKey: 'PAGE-99' },
      { now: new Date(base + 3_600_000).toISOString() },
    );
    await late.project(stack.database.db);
    const continued: TodoItem[] = [];
    let cursor = first.nextCursor;
    while (cursor !== undefined) {
      const page = await todo({ flowCode: 'tc_paging', limit: 5, cursor });
      continued.push(...page.items);
      cursor = page.nextCursor;
    }
    expect([...first.items, ...continued]).toEqual(expectedAll);
    expect((await todo({ flowCode: 'tc_paging', limit: 1 })).items[0]?.instanceId).toBe('approval:tc_paging:PAGE-99');
  });

  it('filters by flowCode', async () => {
    const a = await publishOneNode(['tc_8']);
    const b = await publishOneNode(['tc_8']);
    const va = await start(a.code);
    const vb = await start(b.code);
    expect((await todo({ assignee: 'tc_8' })).items.map((i) => i.instanceId)).toEqual([vb.instanceId, va.instanceId]);
    expect((await todo({ assignee: 'tc_8', flowCode: a.code })).items.map((i) => i.instanceId)).toEqual([va.instanceId]);
    expect((await todo({ assignee: 'tc_8', flowCode: b.code })).items.map((i) => i.instanceId)).toEqual([vb.instanceId]);
    expect((await todo({ assignee: 'tc_8', flowCode: 'no_such_flow' })).items).toEqual([]);
  });

  it('filters by createdFrom (inclusive) and createdTo (exclusive)', async () => {
    const times = ['2026-05-10T00:00:00.000Z', '2026-05-20T00:00:00.000Z', '2026-05-30T00:00:00.000Z'];
    for (const [i, now] of times.entries()) {
      const businessKey = `WIN-${i}`;
      await new ProjectedDriver(
        { ...line(['n', ['tc_9']]), code: 'tc_window', name: '时间窗' },
        { instanceId: `approval:tc_window:${businessKey}`, businessKey },
        { now },
      ).project(stack.database.db);
    }
    const keys = async (params: Record<string, string>) => (await todo({ assignee: 'tc_9', ...params })).items.map((i) => i.instanceId.split(':')[2]);
    expect(await keys({})).toEqual(['WIN-2', 'WIN-1', 'WIN-0']);
    expect(await keys({ createdFrom: times[1]! })).toEqual(['WIN-2', 'WIN-1']);
    expect(await keys({ createdTo: times[1]! })).toEqual(['WIN-0']);
    expect(await keys({ createdFrom: times[0]!, createdTo: times[2]! })).toEqual(['WIN-1', 'WIN-0']);
    // offsets other than Z mean the same instant
    expect(await keys({ createdFrom: '2026-05-20T08:00:00+08:00', createdTo: '2026-05-30T08:00:00+08:00' })).toEqual(['WIN-1']);
    expect(await keys({ createdFrom: '2026-05-20T00:00:00.001Z' })).toEqual(['WIN-2']);
  });

  it('createdFrom / createdTo work on real tasks too', async () => {
    const flow = await publishOneNode(['tc_10']);
    const before = new Date(Date.now() - 1000).toISOString();
    const view = await start(flow.code);
    const after = new Date(Date.parse(taskOf(view, 'tc_10').createdAt) + 1).toISOString();
    expect((await todo({ assignee: 'tc_10', createdFrom: before })).items.map((i) => i.instanceId)).toEqual([view.instanceId]);
    expect((await todo({ assignee: 'tc_10', createdFrom: after })).items).toEqual([]);
    expect((await todo({ assignee: 'tc_10', createdTo: after })).items.map((i) => i.instanceId)).toEqual([view.instanceId]);
  });
});

describe('instance lists (GET /instances)', () => {
  let flow: { code: string; name: string };
  const system = uid('erp');
  const started: InstanceView[] = [];

  beforeAll(async () => {
    flow = await publishOneNode(['tc_11']);
    for (let i = 0; i < 5; i++) {
      const businessKey = uid(`SRC${i}`);
      started.push(
        await start(flow.code, {
          source: { system, type: i < 3 ? 'po' : 'contract', id: businessKey },
          businessKey,
          initiatorId: i % 2 === 0 ? 'u_init2' : 'u_initiator',
        }),
      );
    }
  });

  const ids = (page: Page<InstanceSummary>) => page.items.map((i) => i.instanceId);
  const newestFirst = (views: InstanceView[]) => [...views].reverse().map((v) => v.instanceId);

  it('by source system, type and id, newest first, with the summary fields', async () => {
    const all = await instanceList({ sourceSystem: system });
    expect(ids(all)).toEqual(newestFirst(started));
    expect(all.nextCursor).toBeUndefined();
    const first = started[0]!;
    expect(all.items.at(-1)).toEqual({
      instanceId: first.instanceId,
      flowCode: flow.code,
      flowName: flow.name,
      flowVersion: 1,
      businessKey: first.businessKey,
      status: 'running',
      initiatorId: 'u_init2',
      source: { system, type: 'po', id: first.businessKey },
      currentNodeIds: ['approve'],
      createdAt: first.createdAt,
    });
    expect(ids(await instanceList({ sourceSystem: system, sourceType: 'po' }))).toEqual(newestFirst(started.slice(0, 3)));
    expect(ids(await instanceList({ sourceSystem: system, sourceType: 'contract' }))).toEqual(newestFirst(started.slice(3)));
    expect(ids(await instanceList({ sourceSystem: system, sourceType: 'po', sourceId: started[1]!.businessKey }))).toEqual([started[1]!.instanceId]);
    expect(ids(await instanceList({ sourceSystem: system, sourceType: 'contract', sourceId: started[1]!.businessKey }))).toEqual([]);
    expect(ids(await instanceList({ sourceSystem: uid('nobody') }))).toEqual([]);
  });

  it('by initiator, and with status / flowCode filters', async () => {
    const mine = (await instanceList({ initiatorId: 'u_init2', limit: 100 })).items.filter((i) => i.flowCode === flow.code);
    expect(mine.map((i) => i.instanceId)).toEqual(newestFirst([started[0]!, started[2]!, started[4]!]));
    expect(ids(await instanceList({ initiatorId: 'u_init2', flowCode: flow.code }))).toEqual(newestFirst([started[0]!, started[2]!, started[4]!]));

    await actOk(stack, started[2]!.instanceId, { type: 'approve', actorId: 'tc_11' });
    expect(ids(await instanceList({ sourceSystem: system, status: 'approved' }))).toEqual([started[2]!.instanceId]);
    const approved = (await instanceList({ sourceSystem: system, status: 'approved' })).items[0]!;
    expect(approved).toMatchObject({ status: 'approved', currentNodeIds: [], completedAt: expect.any(String) });
    expect(ids(await instanceList({ sourceSystem: system, status: 'running' }))).toEqual(newestFirst(started).filter((id) => id !== started[2]!.instanceId));
    expect(ids(await instanceList({ initiatorId: 'u_init2', flowCode: flow.code, status: 'running' }))).toEqual(newestFirst([started[0]!, started[4]!]));
  });

  it('pages with a cursor: every instance once, no nextCursor on the last page', async () => {
    const pages = await allPages((cursor) => instanceList({ sourceSystem: system, limit: 2, cursor }));
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.nextCursor === undefined)).toEqual([false, false, true]);
    expect(pages.flatMap(ids)).toEqual(newestFirst(started));

    const byInitiator = await allPages((cursor) => instanceList({ initiatorId: 'u_init2', flowCode: flow.code, limit: 1, cursor }));
    expect(byInitiator.flatMap(ids)).toEqual(newestFirst([started[0]!, started[2]!, started[4]!]));
    expect(byInitiator).toHaveLength(3);
  });

  it('an instance list cursor is refused by the task list and the other way round', async () => {
    const instancePage = await instanceList({ sourceSystem: system, limit: 1 });
    const taskCursor = encodeCursor(['2026-06-01 08:00:00+00', 'approval:x:1', 'n.1']);
    const refusedByTasks = await stack.api.request<ErrorBody>('GET', tasksPath({ cursor: instancePage.nextCursor }));
    expect(refusedByTasks.status).toBe(400);
    expect(refusedByTasks.body.error.details).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
    const refusedByInstances = await stack.api.request<ErrorBody>('GET', instancesPath({ sourceSystem: system, cursor: taskCursor }));
    expect(refusedByInstances.status).toBe(400);
    expect(refusedByInstances.body.error.details).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
  });
});

describe('bad input → 400 naming the parameter', () => {
  const notATimestamp = encodeCursor(['yesterday', 'approval:x:1', 'n.1']);
  const february30 = encodeCursor(['2026-02-30 08:00:00+00', 'approval:x:1', 'n.1']);

  it.each<[string, string, string]>([
    ['an unknown parameter', tasksPath({ assignee: 'tc_0', foo: '1' }), 'query.foo'],
    ['status=bogus', tasksPath({ status: 'bogus' }), 'query.status'],
    ['limit=0', tasksPath({ limit: 0 }), 'query.limit'],
    ['limit=101', tasksPath({ limit: 101 }), 'query.limit'],
    ['limit=abc', tasksPath({ limit: 'abc' }), 'query.limit'],
    ['limit=2.5', tasksPath({ limit: '2.5' }), 'query.limit'],
    ['limit= (empty)', tasksPath({ limit: '' }), 'query.limit'],
    ['createdFrom not a date', tasksPath({ createdFrom: 'last tuesday' }), 'query.createdFrom'],
    ['createdFrom without a time zone', tasksPath({ createdFrom: '2026-05-01T00:00:00' }), 'query.createdFrom'],
    ['createdTo a bare date', tasksPath({ createdTo: '2026-05-01' }), 'query.createdTo'],
    ['createdTo before createdFrom', tasksPath({ createdFrom: '2026-05-02T00:00:00Z', createdTo: '2026-05-01T00:00:00Z' }), 'query.createdTo'],
    ['an empty assignee', tasksPath({ assignee: '' }), 'query.assignee'],
    ['a garbage cursor', tasksPath({ cursor: 'not-a-cursor' }), 'query.cursor'],
    ['a cursor with bad base64 characters', tasksPath({ cursor: '!!!' }), 'query.cursor'],
    ['a cursor whose first element is no timestamp', tasksPath({ cursor: notATimestamp }), 'query.cursor'],
    // Passes decodeCursor (V8's Date.parse takes Feb 30); Postgres refuses it, wrapped by drizzle.
    ['a cursor on February 30', tasksPath({ cursor: february30 }), 'query.cursor'],
    [
      'an instance list cursor on February 30',
      instancesPath({ initiatorId: 'u_initiator', cursor: encodeCursor(['2026-02-30 08:00:00+00', 'approval:x:1']) }),
      'query.cursor',
    ],
    ['an instance list without sourceSystem or initiatorId', instancesPath({ status: 'running' }), 'query.sourceSystem'],
    ['an instance list with no parameter at all', instancesPath({}), 'query.sourceSystem'],
    ['sourceId without sourceType', instancesPath({ sourceSystem: 'erp', sourceId: 'PO-1' }), 'query.sourceId'],
    ['sourceType without sourceSystem', instancesPath({ initiatorId: 'u_initiator', sourceType: 'po' }), 'query.sourceType'],
    ['an unknown instance list parameter', instancesPath({ initiatorId: 'u_initiator', businessKey: 'x' }), 'query.businessKey'],
    ['an instance status=bogus', instancesPath({ initiatorId: 'u_initiator', status: 'pending' }), 'query.status'],
    ['an instance list limit=101', instancesPath({ initiatorId: 'u_initiator', limit: 101 }), 'query.limit'],
    ['a malformed instance list cursor', instancesPath({ initiatorId: 'u_initiator', cursor: 'abc' }), 'query.cursor'],
  ])('%s', async (_name, path, field) => {
    const response = await stack.api.request<ErrorBody>('GET', path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    expect(response.body.error.message).toContain(field);
  });

  it('an unknown parameter is named as "is not a known field"', async () => {
    const response = await stack.api.request<ErrorBody>('GET', tasksPath({ foo: 'bar' }));
    expect(response.body.error.details).toEqual([{ field: 'query.foo', message: 'is not a known field' }]);
  });

  it('every bad parameter of one request is named', async () => {
    const response = await stack.api.request<ErrorBody>('GET', tasksPath({ status: 'bogus', limit: 0, createdFrom: 'soon' }));
    expect(response.status).toBe(400);
    expect(response.body.error.details?.map((d) => d.field).sort()).toEqual(['query.createdFrom', 'query.limit', 'query.status']);
  });

  it('limits 1 and 100 are accepted', async () => {
    expect((await stack.api.request('GET', tasksPath({ limit: 1 }))).status).toBe(200);
    expect((await stack.api.request('GET', tasksPath({ limit: 100 }))).status).toBe(200);
  });
});

describe('authentication (SPEC §7)', () => {
  const path = tasksPath({ assignee: 'tc_0', status: 'pending' });

  async function send(target: string, headers: Record<string, string>) {
    const response = await fetch(stack.baseUrl + target, { method: 'GET', headers });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  }

  it.each<[string, () => Promise<Record<string, string>>, string]>([
    ['no signature headers', async () => ({}), 'MISSING_SIGNATURE'],
    ['a wrong secret', async () => signedHeaders({ appKey: (await limitedApp()).appKey, secret: 'wrong' }, { method: 'GET', path, body: '' }), 'BAD_SIGNATURE'],
    ['an unknown app key', async () => signedHeaders({ appKey: 'no-such-app', secret: 'x' }, { method: 'GET', path, body: '' }), 'UNKNOWN_APP'],
    [
      'a signature over another query string',
      async () => {
        const app = await limitedApp();
        return signedHeaders({ appKey: app.appKey, secret: app.secret }, { method: 'GET', path: tasksPath({ assignee: 'tc_1', status: 'pending' }), body: '' });
      },
      'BAD_SIGNATURE',
    ],
    [
      'a signature over the path without its query',
      async () => {
        const app = await limitedApp();
        return signedHeaders({ appKey: app.appKey, secret: app.secret }, { method: 'GET', path: '/api/v1/tasks', body: '' });
      },
      'BAD_SIGNATURE',
    ],
  ])('GET /tasks with %s → 401', async (_name, headersFor, code) => {
    const response = await send(path, await headersFor());
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe(code);
  });

  it('an unsigned request is 401 even when its parameters are bad, for tasks and instance lists', async () => {
    expect((await send(tasksPath({ foo: '1', limit: 0 }), {})).status).toBe(401);
    expect((await send(instancesPath({}), {})).status).toBe(401);
    expect((await send(instancesPath({ initiatorId: 'u_initiator' }), {})).status).toBe(401);
  });

  it('a correctly signed request of an app with no permission at all reads the lists', async () => {
    const app = await limitedApp();
    const response = await send(path, signedHeaders({ appKey: app.appKey, secret: app.secret }, { method: 'GET', path, body: '' }));
    expect(response.status).toBe(200);
  });

  let cached: Awaited<ReturnType<TestStack['appWith']>> | undefined;
  async function limitedApp() {
    cached ??= await stack.appWith([]);
    return cached;
  }
});
