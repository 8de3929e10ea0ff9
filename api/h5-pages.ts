import path from 'node:path';
import type { Context, Hono } from 'hono';
import { compress } from 'hono/compress';
import type { ApiDependencies, ApiEnv } from './context';
import { bundleWebApp, type WebBundle } from './web-bundle';

/**
 * The approver's and initiator's app (SPEC §6.3 of seed 001: H5 inside DingTalk), served under
 * `/h5/`: every page address answers the same HTML, the app routes in the browser.
 */

const H5_ENTRY = path.join(__dirname, '..', 'web', 'h5', 'main.tsx');
let bundle: Promise<WebBundle> | undefined;
const h5Bundle = () => (bundle ??= bundleWebApp(H5_ENTRY).catch((err: unknown) => ((bundle = undefined), Promise.reject(err))));

/** `<` in JSON inside a script element would let a value end it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function html(b: WebBundle, config: object): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>审批</title>
${b.stylesheet ? `<link rel="stylesheet" href="/h5/assets/${b.stylesheet}">` : ''}
<link rel="modulepreload" href="/h5/assets/${b.script}">
<script type="application/json" id="h5-config">${scriptJson(config)}</script>
</head>
<body>
<div id="app"></div>
<script type="module" src="/h5/assets/${b.script}"></script>
</body>
</html>`;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

export function mountH5(app: Hono<ApiEnv>, deps: ApiDependencies): void {
  app.use('/h5/*', compress());
  app.get('/h5/assets/:file', async (c) => {
    const asset = (await h5Bundle()).assets.get(c.req.param('file'));
    if (!asset) return c.json({ error: { code: 'NOT_FOUND', message: `no asset ${c.req.param('file')}` } }, 404);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
  });
  const page = async (c: Context<ApiEnv>) => {
    const b = await h5Bundle();
    const config = { devLogin: deps.config.devLogin === true, ...(deps.config.dingtalk ? { corpId: deps.config.dingtalk.corpId } : {}) };
    return c.html(html(b, config), 200, { 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
  };
  app.get('/h5', (c) => c.redirect('/h5/', 301));
  app.get('/h5/', page);
  app.get('/h5/*', page);
}
