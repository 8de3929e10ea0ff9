import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The files `/docs` serves: Swagger UI's own (from the swagger-ui-dist package) and our signing script. */
const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));
export const DOCS_ASSETS = {
  'swagger-ui.css': { file: path.join(SWAGGER_UI, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: path.join(SWAGGER_UI, 'swagger-ui-bundle.js'), type: 'text/javascript; charset=utf-8' },
  'sign-requests.js': { file: path.join(__dirname, 'sign-requests.browser.js'), type: 'text/javascript; charset=utf-8' },
} as const;
export type DocsAsset = keyof typeof DOCS_ASSETS;

const cache = new Map<DocsAsset, Buffer>();

export function docsAsset(name: DocsAsset): { body: Buffer; type: string } {
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(DOCS_ASSETS[name].file);
    cache.set(name, body);
  }
  return { body, type: DOCS_ASSETS[name].type };
}

/** Swagger UI over `/openapi.json`, with a form for the app credentials that "Try it out" signs with. Paths are relative, so it works behind a prefix. */
export function docsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Approval orchestration API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <style>
    body { margin: 0; font-family: sans-serif; }
    #credentials { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 12px 20px; background: #1f2937; color: #f9fafb; font-size: 14px; }
    #credentials input { padding: 4px 8px; border-radius: 4px; border: 1px solid #9ca3af; min-width: 14em; }
    #credentials small { color: #d1d5db; }
  </style>
</head>
<body data-spec="openapi.json">
  <form id="credentials" onsubmit="return false">
    <strong>Sign “Try it out” requests (SPEC §7)</strong>
    <label>App key <input name="appKey" autocomplete="username" placeholder="demo-erp"></label>
    <label>Secret <input name="secret" type="password" autocomplete="current-password" placeholder="demo-erp-secret"></label>
    <small>kept in this tab only; each request gets X-App-Key, X-Timestamp, X-Nonce and X-Signature</small>
  </form>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/sign-requests.js"></script>
</body>
</html>
`;
}
