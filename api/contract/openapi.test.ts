import { validate } from '@readme/openapi-parser';
import { API_ROUTES, createApi } from '../app';
import type { ApiDependencies } from '../context';
import { honoPath } from './register';

/** Reading the document and the docs page runs no handler that needs the database or Temporal. */
const deps = { config: { taskQueue: 'approvals' } } as ApiDependencies;

async function fetchDocument() {
  const response = await createApi(deps).request('/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as {
    openapi: string;
    paths: Record<string, Record<string, { security?: unknown[]; operationId: string; responses: Record<string, unknown> }>>;
    components: { securitySchemes: Record<string, unknown> };
  };
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route the app serves, with its method, and nothing else (the browser apps’ pages are pages, not API)', async () => {
    const document = await fetchDocument();
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${honoPath(path)}`),
    );
    const served = [
      ...new Set(
        createApi(deps)
          .routes.filter((r) => r.method !== 'ALL' && !/^\/(h5|designer)(\/|$)/.test(r.path))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ];
    expect(documented.sort()).toEqual(served.sort());
  });

  it('requires the four SPEC §7 headers on every signed route, a session on the users’ ones, either where both may call, and none on the unsigned ones', async () => {
    const document = await fetchDocument();
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['AppKey', 'Nonce', 'Session', 'Signature', 'Timestamp']);
    const signed = { AppKey: [], Timestamp: [], Nonce: [], Signature: [] };
    const expected = (spec: (typeof API_ROUTES)[number]['spec']) => {
      if (spec.auth === 'none') return [];
      if (spec.auth === 'session') return [{ Session: [] }];
      return spec.sessions ? [signed, { Session: [] }] : [signed];
    };
    for (const { spec } of API_ROUTES) {
      const operation = document.paths[spec.path]![spec.method]!;
      expect([spec.operationId, operation.security]).toEqual([spec.operationId, expected(spec)]);
    }
    expect(document.paths['/api/v1/instances/{id}']!.get!.security).toEqual([signed, { Session: [] }]);
    expect(document.paths['/api/v1/cc']!.get!.security).toEqual([{ Session: [] }]);
  });

  it('lists each route’s errors by status in the SPEC §6 shape, 401s on signed routes and 403 where a permission is needed', async () => {
    const document = await fetchDocument();
    const act = document.paths['/api/v1/instances/{id}/actions']!.post!;
    expect(Object.keys(act.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '422', '429']);
    expect(JSON.stringify(act.responses['409'])).toContain('TASK_NOT_PENDING');
    expect(Object.keys(document.paths['/healthz']!.get!.responses)).toEqual(['200']);
  });

  it('states each route’s body limit (413) and the rate limit’s Retry-After (429)', async () => {
    const document = await fetchDocument();
    type Operation = { requestBody?: { description?: string }; responses: Record<string, { description: string; headers?: Record<string, unknown> }> };
    const operation = (path: string, method: string) => (document.paths[path] as unknown as Record<string, Operation>)[method]!;
    const start = operation('/api/v1/instances', 'post');
    expect(start.responses['413']!.description).toContain('1048576 bytes (1 MiB)');
    expect(start.requestBody?.description).toContain('at most 1048576 bytes (1 MiB)');
    for (const push of ['/api/v1/sync/users', '/api/v1/sync/departments']) {
      expect(operation(push, 'post').responses['413']!.description).toContain('16777216 bytes (16 MiB)');
    }
    expect(start.responses['429']!.description).toContain('RATE_LIMITED');
    expect(Object.keys(start.responses['429']!.headers ?? {})).toEqual(['Retry-After']);
    // A GET without a body takes none; an unsigned route is not rate limited.
    expect(Object.keys(operation('/api/v1/tasks', 'get').responses)).not.toContain('413');
    expect(Object.keys(operation('/api/v1/auth/dingtalk', 'post').responses)).not.toContain('429');
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI over the document, from our own assets (no CDN)', async () => {
    const api = createApi(deps);
    const page = await api.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-spec="openapi.json"');
    for (const asset of ['docs/swagger-ui.css', 'docs/swagger-ui-bundle.js', 'docs/sign-requests.js']) {
      expect(html).toContain(asset);
      const served = await api.request(`/${asset}`);
      expect([asset, served.status]).toEqual([asset, 200]);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });
});
