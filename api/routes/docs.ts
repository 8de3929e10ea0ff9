import { z } from 'zod';
import { ok, okWith, routesOf } from '../contract/route';
import { DOCS_ASSETS, docsAsset, docsPage, type DocsAsset } from '../docs/docs-page';

const route = routesOf('ops');

/** The API contract served: `/openapi.json` (built once, from the routes' own declarations) and Swagger UI at `/docs`. */
export function docsRoutes(document: () => object) {
  return [
    route(
      { operationId: 'openApiDocument', method: 'get', path: '/openapi.json', auth: 'none' },
      { summary: 'This document (OpenAPI 3.1)', responses: okWith('the document', z.record(z.string(), z.unknown())) },
      async () => ok(document() as Record<string, unknown>),
    ),
    route(
      { operationId: 'docs', method: 'get', path: '/docs', auth: 'none' },
      {
        summary: 'Swagger UI over this document; “Try it out” signs requests with the app credentials typed in',
        responses: { 200: { description: 'the page', contentType: 'text/html' } },
      },
      async ({ c }) => c.html(docsPage()),
    ),
    route(
      {
        operationId: 'docsAsset',
        method: 'get',
        path: '/docs/{asset}',
        auth: 'none',
        params: z.object({ asset: z.enum(Object.keys(DOCS_ASSETS) as [DocsAsset, ...DocsAsset[]]) }),
      },
      { summary: 'A file of the docs page', responses: { 200: { description: 'the file', contentType: 'text/css, text/javascript' } } },
      async ({ params, c }) => {
        const { body, type } = docsAsset(params.asset);
        return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
      },
    ),
  ];
}
