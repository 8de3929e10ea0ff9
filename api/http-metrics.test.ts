import type { ApiDependencies } from './context';
import { API_ROUTES, createApi } from './app';
import { COUNTED_ROUTES } from './action-metrics';
import { routeLabel } from './http-metrics';
import { metricsRegistry } from '../observability/metrics';

/** Routes that answer without the database or Temporal. */
const deps = { config: { taskQueue: 'approvals' } } as ApiDependencies;

async function requestsCounted(): Promise<Map<string, number>> {
  const metric = await metricsRegistry.getSingleMetric('approval_http_requests_total')!.get();
  return new Map(metric.values.map((v) => [`${v.labels.method} ${v.labels.route} ${v.labels.status}`, v.value]));
}

describe('HTTP metrics', () => {
  it('label each answer with the declared route pattern, `unmatched` for unknown paths, whatever the path held', async () => {
    const api = createApi(deps);
    const before = await requestsCounted();
    await api.request('/healthz');
    await api.request('/healthz');
    await api.request('/no/such/path/u_zhangsan');
    await api.request('/api/v1/instances/approval:x:PO-1');
    const after = await requestsCounted();
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(delta('GET /healthz 200')).toBe(2);
    expect(delta('GET unmatched 404')).toBe(1);
    // Refused by the signature guard: still the route's pattern, never the instance id.
    expect(delta('GET /api/v1/instances/{id} 401')).toBe(1);
    expect([...after.keys()].filter((key) => key.includes('u_zhangsan') || key.includes('PO-1'))).toEqual([]);
  });

  it('fold the H5 app’s pages and assets into one label', async () => {
    expect(routeLabel('/h5/assets/{file}')).toBe('h5');
    expect(routeLabel('/h5')).toBe('h5');
    expect(routeLabel('/designer/assets/{file}')).toBe('designer');
    expect(routeLabel('/api/v1/instances/{id}/actions')).toBe('/api/v1/instances/{id}/actions');
    const before = await requestsCounted();
    await createApi(deps).request('/h5/no-such-page/u_zhangsan');
    const after = await requestsCounted();
    const h5 = [...after].filter(([key]) => key.includes(' h5 ')).reduce((sum, [key, value]) => sum + value - (before.get(key) ?? 0), 0);
    expect(h5).toBe(1);
  });

  it('count the starts and actions of routes that exist', () => {
    const operationIds = new Set(API_ROUTES.map((route) => route.spec.operationId));
    expect(Object.keys(COUNTED_ROUTES).filter((id) => !operationIds.has(id))).toEqual([]);
  });
});
