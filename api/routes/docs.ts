import { z } from 'zod';
import { route } from '../contract/route';
import { DOCS_ASSETS, docsAsset, docsPage, type DocsAsset } from '../docs/docs-page';

/** The API contract served: `/openapi.json` (built once, from the routes' own declarations) and Swagger UI at `/docs`. */
export function docsRoutes(document: () => object) {
  return [
    route(
      {
        operationId: 'openApiDocument',
        method: 'get',
        path: '/openapi.json',
        tag: 'ops',
        summary: 'This document (OpenAPI 3.1)',
        auth: 'none',
        responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
        errors: [],
      },
      async () => ({ status: 200, body: document() as Record<string, unknown> }),
    ),
    route(
      {
        operationId: 'docs',
        method: 'get',
        path: '/docs',
        tag: 'ops',
        summary: 'Swagger UI over this document; “Try it out” signs requests with the app credentials typed in',
        auth: 'none',
        responses: { 200: { description: 'the page', contentType: 'text/html' } },
        errors: [],
      },
      async ({ c }) => c.html(docsPage()),
    ),
    route(
      {
        operationId: 'docsAsset',
        method: 'get',
        path: '/docs/{asset}',
        tag: 'ops',
        summary: 'A file of the docs page',
        auth: 'none',
        params: z.object({ asset: z.enum(Object.keys(DOCS_ASSETS) as [DocsAsset, ...DocsAsset[]]) }),
        responses: { 200: { description: 'the file', contentType: 'text/css, text/javascript' } },
        errors: [],
      },
      async ({ params, c }) => {
        const { body, type } = docsAsset(params.asset);
        return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
      },
    ),
  ];
}
