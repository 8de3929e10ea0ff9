import { createHash } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The browser apps (web/): bundled, minified and content-hashed by esbuild when the API first
 * serves one — no build step for `npm start`, and a new deploy changes every asset name, so
 * assets are cached for good and the HTML never is.
 */

export interface WebAsset {
  body: Uint8Array;
  contentType: string;
}

export interface WebBundle {
  /** File name (`main-HASH.js`) → its bytes. */
  assets: Map<string, WebAsset>;
  /** The entry script and stylesheet the HTML loads. */
  script: string;
  stylesheet?: string;
  /** A hash of every asset: an ETag for the HTML that names them. */
  version: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export async function bundleWebApp(entry: string): Promise<WebBundle> {
  const outdir = path.join(path.dirname(entry), 'out');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    outdir,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: path.join(__dirname, '..', 'web', 'tsconfig.json'),
  });
  const assets = new Map<string, WebAsset>();
  for (const file of result.outputFiles) {
    const name = path.relative(outdir, file.path);
    assets.set(name, { body: file.contents, contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream' });
  }
  const [output, meta] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined) ?? [];
  if (!output || !meta) throw new Error(`esbuild produced no entry for ${entry}`);
  const version = createHash('sha256')
    .update([...assets.keys()].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
  return {
    assets,
    script: path.basename(output),
    ...(meta.cssBundle ? { stylesheet: path.basename(meta.cssBundle) } : {}),
    version,
  };
}
