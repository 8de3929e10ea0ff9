import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDependencies, ApiEnv } from '../context';
import { ApiError } from '../errors';
import { mountRoutes } from './register';
import { routesOf, type AnyRoute } from './route';

const declare = routesOf('test');

/** Unsigned routes only: mounting them needs no dependencies. */
const deps = {} as ApiDependencies;

function appWith(routes: AnyRoute[], checkContract: boolean) {
  const app = new Hono<ApiEnv>();
  mountRoutes(app, routes, deps, { checkContract });
  app.onError((err, c) => (err instanceof ApiError ? c.json(err.toBody(), err.status) : c.json({ failure: err.message }, 500)));
  return app;
}

const thing = z.object({ id: z.string(), count: z.number().int() });
const endpoint = {
  operationId: 'getThing',
  method: 'get',
  path: '/things/{id}',
  auth: 'none',
  params: z.object({ id: z.string().regex(/^t\d+$/, 'must be a thing id') }),
  query: z.strictObject({ limit: z.coerce.number().int().min(1).default(5) }),
} as const;
const answers = { summary: 'a thing', responses: { 200: { description: 'the thing', schema: thing } }, errors: ['INSTANCE_NOT_FOUND'] } as const;

describe('mounted routes', () => {
  it('hand the handler its validated path and query, and answer its reply', async () => {
    const app = appWith([declare(endpoint, answers, async ({ params, query }) => ({ status: 200, body: { id: params.id, count: query.limit } }))], true);
    const response = await app.request('/things/t1?limit=3');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 't1', count: 3 });
  });

  it('refuse bad inputs with VALIDATION_FAILED naming each (query parameters as query.*)', async () => {
    const app = appWith([declare(endpoint, answers, async () => ({ status: 200, body: { id: 'x', count: 1 } }))], true);
    const badPath = await app.request('/things/x1');
    expect(badPath.status).toBe(400);
    expect(await badPath.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'id', message: 'must be a thing id' }] } });
    const badQuery = await app.request('/things/t1?limit=0&colour=red');
    expect(await badQuery.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ field: 'query.limit' }, { field: 'query.colour', message: 'is not a known field' }] },
    });
  });

  describe('with contract checks on (as in the integration tests)', () => {
    it('fail an answer that does not match its schema', async () => {
      const app = appWith([declare(endpoint, answers, async () => ({ status: 200, body: { id: 't1', count: 1.5 } }))], true);
      const response = await app.request('/things/t1');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ failure: 'getThing 200 does not match its schema: count: Invalid input: expected int, received number' });
    });

    it('fail an answer with a field the schema does not declare, however deep', async () => {
      const nested = { ...answers, responses: { 200: { description: 'things', schema: z.object({ items: z.array(thing) }) } } } as const;
      const app = appWith(
        [declare(endpoint, nested, async () => ({ status: 200, body: { items: [{ id: 't1', count: 1, secret: 'x' } as z.input<typeof thing>] } }))],
        true,
      );
      expect(await (await app.request('/things/t1')).json()).toEqual({ failure: 'getThing 200 answers "items[0].secret", which its schema does not declare' });
    });

    it('fail an error code the route does not list, and pass one it lists', async () => {
      const refusing = (code: 'INSTANCE_NOT_FOUND' | 'FLOW_NOT_FOUND') =>
        appWith(
          [
            declare(endpoint, answers, async () => {
              throw new ApiError(code, 'no');
            }),
          ],
          true,
        );
      expect((await refusing('INSTANCE_NOT_FOUND').request('/things/t1')).status).toBe(404);
      const undeclared = await refusing('FLOW_NOT_FOUND').request('/things/t1');
      expect(undeclared.status).toBe(500);
      expect(await undeclared.json()).toEqual({ failure: 'getThing answered FLOW_NOT_FOUND, which its declaration does not list' });
    });

    it('stay out of the way when off', async () => {
      const app = appWith([declare(endpoint, answers, async () => ({ status: 200, body: { id: 't1', count: 1.5 } }))], false);
      expect((await app.request('/things/t1')).status).toBe(200);
    });
  });
});
