import path from 'node:path';
import type { Context, Hono } from 'hono';
import { compress } from 'hono/compress';
import type { ApiDependencies, ApiEnv } from './context';
import { bundleWebApp, type WebBundle } from './web-bundle';

/**
 * The browser apps, each under its own base (`/h5/`, `/designer/`): every page address answers
 * the same HTML, the app routes in the browser; its bundle is built on first use.
 */

export interface WebApp {
  /** `/h5`: pages under `/h5/`, assets under `/h5/assets/`. */
  base: `/${string}`;
  /** The app's entry module under web/. */
  entry: string;
  title: string;
  viewport: string;
}

/** The approver's and initiator's app (SPEC §6.3 of seed 001: H5 inside DingTalk). */
export const H5_APP: WebApp = {
  base: '/h5',
  entry: 'h5/main.tsx',
  title: '审批',
  viewport: 'width=device-width, initial-scale=1, viewport-fit=cover',
};

/** The flow designer (流程设计器) for flow admins, desktop first. */
export const DESIGNER_APP: WebApp = {
  base: '/designer',
  entry: 'designer/main.tsx',
  title: '流程设计器',
  viewport: 'width=1280',
};

/** `<` in JSON inside a script element would let a value end it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function html(webApp: WebApp, b: WebBundle, config: object): string {
  const assets = `${webApp.base}/assets`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="${webApp.viewport}">
<title>${webApp.title}</title>
${b.stylesheet ? `<link rel="stylesheet" href="${assets}/${b.stylesheet}">` : ''}
<link rel="modulepreload" href="${assets}/${b.script}">
<script type="application/json" id="page-config">${scriptJson(config)}</script>
</head>
<body>
<div id="app"></div>
<script type="module" src="${assets}/${b.script}"></script>
</body>
</html>`;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

export function mountWebApp(app: Hono<ApiEnv>, deps: ApiDependencies, webApp: WebApp): void {
  const entry = path.join(__dirname, '..', 'web', webApp.entry);
  let bundle: Promise<WebBundle> | undefined;
  const appBundle = () => (bundle ??= bundleWebApp(entry).catch((err: unknown) => ((bundle = undefined), Promise.reject(err))));
  const { base } = webApp;
  app.use(`${base}/*`, compress());
  app.get(`${base}/assets/:file`, async (c) => {
    const asset = (await appBundle()).assets.get(c.req.param('file'));
    if (!asset) return c.json({ error: { code: 'NOT_FOUND', message: `no asset ${c.req.param('file')}` } }, 404);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
  });
  const page = async (c: Context<ApiEnv>) => {
    const b = await appBundle();
    const config = { devLogin: deps.config.devLogin === true, ...(deps.config.dingtalk ? { corpId: deps.config.dingtalk.corpId } : {}) };
    return c.html(html(webApp, b, config), 200, { 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
  };
  app.get(base, (c) => c.redirect(`${base}/`, 301));
  app.get(`${base}/`, page);
  app.get(`${base}/*`, page);
}
