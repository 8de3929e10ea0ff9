import { eq } from 'drizzle-orm';
import { erpSystems, flowVersions } from '../../db/schema';
import { findErpSystem, findErpSystems } from '../../db/erp-systems';
import { SecretBox } from '../../db/secret-box';
import type { FlowDefinition } from '../../engine/dsl';
import { expectOk, uid } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

const systemCode = () => uid('erp').toLowerCase();

function budgetSystem(code: string, secret = 'hmac-secret-DO-NOT-LEAK-1') {
  return {
    code,
    name: '金蝶 ERP',
    baseUrl: 'https://erp.example.com/api/',
    auth: { type: 'hmac', appKey: 'approval-center', secret },
    operations: {
      reserve_budget: {
        method: 'POST',
        path: '/budgets/{{form.dept}}/reservations',
        body: { amount: '{{ form.amount }}', po: '{{businessKey}}', note: 'PO {{source.id}}' },
      },
      'release.budget': { method: 'DELETE', path: '/budgets/reservations/{{instance.id}}' },
    },
    writeBack: { method: 'PUT', path: '/purchase-orders/{{source.id}}/approval', body: { status: '{{status}}' } },
  };
}

const rowOf = async (code: string) => (await stack.database.db.select().from(erpSystems).where(eq(erpSystems.code, code)))[0];

function detailFields(body: unknown): string[] {
  return (body as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
}

describe('POST /systems, GET /systems/{code}', () => {
  it('registers (201), reads back redacted, updates (200), and stores secrets only encrypted', async () => {
    const code = systemCode();
    const registered = budgetSystem(code);
    const created = await stack.api.request('POST', '/api/v1/systems', registered);
    expect(created.status).toBe(201);
    const redacted = { ...registered, auth: { type: 'hmac', appKey: 'approval-center' } };
    expect(created.body).toEqual(redacted);
    expect(await expectOk(stack.api.request('GET', `/api/v1/systems/${code}`))).toEqual(redacted);

    const row = await rowOf(code);
    expect(row).toBeDefined();
    expect(JSON.stringify(row)).not.toContain('hmac-secret-DO-NOT-LEAK-1');
    expect(row!.auth).toMatchObject({ type: 'hmac', appKey: 'approval-center', secretCiphertext: expect.stringMatching(/^v1\./) });
    // The raw row as PostgreSQL holds it, every column as text.
    const [raw] = await stack.database.sql`select t::text as text from erp_systems t where code = ${code}`;
    expect(String(raw!.text)).not.toContain('hmac-secret-DO-NOT-LEAK-1');
    expect(String(raw!.text)).not.toContain(Buffer.from('hmac-secret-DO-NOT-LEAK-1').toString('base64'));
    const box = SecretBox.fromString(process.env.TEST_APP_SECRETS_KEY!);
    expect((await findErpSystem(stack.database.db, box, code))?.auth).toEqual({ type: 'hmac', appKey: 'approval-center', secret: 'hmac-secret-DO-NOT-LEAK-1' });

    // Update: bearer auth, no name and no write-back (the registration is replaced whole).
    const updated = {
      code,
      baseUrl: 'http://erp.internal:8080',
      auth: { type: 'bearer', token: 'bearer-TOKEN-do-not-leak' },
      operations: { ping: { method: 'GET', path: '/ping' } },
    };
    const second = await stack.api.request('POST', '/api/v1/systems', updated);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ...updated, auth: { type: 'bearer' } });
    expect(await expectOk(stack.api.request('GET', `/api/v1/systems/${code}`))).toEqual({ ...updated, auth: { type: 'bearer' } });
    const [rawAfter] = await stack.database
      .sql`select t::text as text, write_back is null as no_write_back, name is null as no_name from erp_systems t where code = ${code}`;
    expect(String(rawAfter!.text)).not.toContain('bearer-TOKEN-do-not-leak');
    expect(rawAfter).toMatchObject({ no_write_back: true, no_name: true });
    expect((await findErpSystem(stack.database.db, box, code))?.auth).toEqual({ type: 'bearer', token: 'bearer-TOKEN-do-not-leak' });
    expect(await findErpSystems(stack.database.db, [code, 'nope'])).toEqual(new Map([[code, { operations: ['ping'], hasWriteBack: false }]]));

    const none = { code, baseUrl: 'http://erp.internal', auth: { type: 'none' }, operations: {} };
    expect(await expectOk(stack.api.request('POST', '/api/v1/systems', none))).toEqual(none);
  });

  it.each([
    ['a bad base URL', { baseUrl: 'ftp://erp.example.com' }, ['baseUrl']],
    ['a base URL that is not a URL', { baseUrl: 'not a url' }, ['baseUrl']],
    ['a bad method', { operations: { reserve_budget: { method: 'FETCH', path: '/x' } } }, ['operations.reserve_budget.method']],
    ['a path without a leading slash', { operations: { reserve_budget: { method: 'GET', path: 'x' } } }, ['operations.reserve_budget.path']],
    [
      'a path with whitespace outside a template',
      { operations: { reserve_budget: { method: 'GET', path: '/a b/{{ businessKey }}' } } },
      ['operations.reserve_budget.path'],
    ],
    ['a base URL with a query string', { baseUrl: 'https://erp.example.com/api?x=1' }, ['baseUrl']],
    ['an unknown top-level field', { colour: 'blue' }, ['colour']],
    ['an unknown operation field', { operations: { reserve_budget: { method: 'GET', path: '/x', headers: {} } } }, ['operations.reserve_budget.headers']],
    ['an unknown auth field', { auth: { type: 'bearer', token: 't', secret: 's' } }, ['auth.secret']],
    ['an unknown auth type', { auth: { type: 'basic' } }, ['auth.type']],
    ['a bad system code', { code: 'Bad-Code' }, ['code']],
    ['a bad operation name', { operations: { 'bad name': { method: 'GET', path: '/x' } } }, ['operations.bad name']],
  ])('%s answers 400 naming the field and writes nothing', async (_case, patch, fields) => {
    const code = systemCode();
    const response = await stack.api.request('POST', '/api/v1/systems', { ...budgetSystem(code), ...patch });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(detailFields(response.body)).toEqual(fields);
    expect(await rowOf(code)).toBeUndefined();
    expect(await rowOf('Bad-Code')).toBeUndefined();
  });

  it('an unknown template answers 400 naming where it is, and writes nothing', async () => {
    const code = systemCode();
    const system = budgetSystem(code);
    system.operations.reserve_budget.body.amount = '{{foo}}';
    const bad = { ...system, writeBack: { method: 'PUT', path: '/po/{{ source.name }}' } };
    const response = await stack.api.request('POST', '/api/v1/systems', bad);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('operations.reserve_budget.body.amount: unknown template {{foo}}'),
        details: [
          { field: 'operations.reserve_budget.body.amount', message: 'unknown template {{foo}}' },
          { field: 'writeBack.path', message: 'unknown template {{source.name}}' },
        ],
      },
    });
    expect(await rowOf(code)).toBeUndefined();
  });

  it('malformed JSON answers 400 and writes nothing', async () => {
    const response = await stack.api.requestRaw('POST', '/api/v1/systems', '{"code": "x",');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it('needs the admin permission to register or read (403), and then writes nothing', async () => {
    const code = systemCode();
    const limited = await stack.appWith(['start', 'sync', 'act_for']);
    const post = await limited.request('POST', '/api/v1/systems', budgetSystem(code));
    expect(post.status).toBe(403);
    expect(post.body).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
    expect(await rowOf(code)).toBeUndefined();

    await expectOk(stack.api.request('POST', '/api/v1/systems', budgetSystem(code)), 201);
    const get = await limited.request('GET', `/api/v1/systems/${code}`);
    expect(get.status).toBe(403);
    expect(JSON.stringify(get.body)).not.toContain('approval-center');
  });

  it('an unknown system answers 404 SYSTEM_NOT_FOUND', async () => {
    const response = await stack.api.request('GET', '/api/v1/systems/no_such_system');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'SYSTEM_NOT_FOUND', message: expect.stringContaining('no_such_system') } });
  });
});

describe('publishing flows with service nodes', () => {
  function serviceFlow(code: string, call: { system: string; operation: string }, compensate?: { system: string; operation: string }): FlowDefinition {
    return {
      code,
      name: `服务节点 ${code}`,
      form: {
        fields: [
          { key: 'amount', type: 'number', required: true },
          { key: 'dept', type: 'string' },
        ],
      },
      nodes: [
        { id: 'start', type: 'start', next: 'reserve' },
        { id: 'reserve', type: 'service', name: '预占预算', call, ...(compensate ? { compensate } : {}), next: 'approve' },
        { id: 'approve', type: 'approval', name: '审批', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'end' },
        { id: 'end', type: 'end' },
      ],
    } as FlowDefinition;
  }

  async function publish(definition: FlowDefinition) {
    expect([200, 201]).toContain((await stack.api.request('POST', '/api/v1/definitions', definition)).status);
    return stack.api.request('POST', `/api/v1/definitions/${definition.code}/publish`);
  }

  const versionsOf = (code: string) => stack.database.db.select().from(flowVersions).where(eq(flowVersions.code, code));

  it('an unknown system or operation answers 422 INVALID_DEFINITION naming node and field, and publishes nothing', async () => {
    const code = systemCode();
    await expectOk(stack.api.request('POST', '/api/v1/systems', budgetSystem(code)), 201);

    const unknownSystem = serviceFlow(uid('svc'), { system: 'no_such_erp', operation: 'reserve_budget' });
    const first = await publish(unknownSystem);
    expect(first.status).toBe(422);
    expect(first.body).toEqual({
      error: {
        code: 'INVALID_DEFINITION',
        message: expect.any(String),
        details: [{ nodeId: 'reserve', field: 'call.system', message: expect.stringContaining('no_such_erp') }],
      },
    });
    expect(await versionsOf(unknownSystem.code)).toEqual([]);

    const unknownOperations = serviceFlow(uid('svc'), { system: code, operation: 'reserve_everything' }, { system: code, operation: 'undo' });
    const second = await publish(unknownOperations);
    expect(second.status).toBe(422);
    expect((second.body as { error: { details: unknown } }).error.details).toEqual([
      { nodeId: 'reserve', field: 'call.operation', message: expect.stringContaining('reserve_everything') },
      { nodeId: 'reserve', field: 'compensate.operation', message: expect.stringContaining('undo') },
    ]);
    expect(await versionsOf(unknownOperations.code)).toEqual([]);

    const unknownCompensationSystem = serviceFlow(
      uid('svc'),
      { system: code, operation: 'reserve_budget' },
      { system: 'ghost_erp', operation: 'release.budget' },
    );
    const third = await publish(unknownCompensationSystem);
    expect(third.status).toBe(422);
    expect(detailFields(third.body)).toEqual(['compensate.system']);
  });

  it('a flow whose service nodes name registered operations publishes (201)', async () => {
    const code = systemCode();
    await expectOk(stack.api.request('POST', '/api/v1/systems', budgetSystem(code)), 201);
    const flow = serviceFlow(uid('svc'), { system: code, operation: 'reserve_budget' }, { system: code, operation: 'release.budget' });
    const published = await publish(flow);
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ code: flow.code, version: 1 });
    expect(await versionsOf(flow.code)).toHaveLength(1);
  });
});
