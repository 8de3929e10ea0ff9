import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows');
/** The workflow side of logs and traces: request ids and trace context from each message to the activities it caused. */
export const WORKFLOW_INTERCEPTOR_MODULES = [path.resolve(__dirname, '../workflows/interceptors')];
export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '../dist/workflow-bundle.js');

/**
 * Bundles the workflow code once (webpack, a few seconds) so workers start without bundling and
 * every worker of a deployment runs byte-identical workflow code.
 */
export async function buildWorkflowBundle(outPath = DEFAULT_BUNDLE_PATH): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: quietLogger });
  mkdirSync(path.dirname(outPath), { recursive: true });
  writeFileSync(outPath, code);
  return outPath;
}

export function readWorkflowBundle(bundlePath = DEFAULT_BUNDLE_PATH): { code: string } | undefined {
  return existsSync(bundlePath) ? { code: readFileSync(bundlePath, 'utf8') } : undefined;
}

/** Folders whose code ends up in the workflow bundle. */
const BUNDLED_SOURCES = ['workflows', 'engine', 'temporal-config'].map((dir) => path.resolve(__dirname, '..', dir));

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** The bundle at `bundlePath`, rebuilt first if it is missing or older than the code it holds. */
export async function ensureWorkflowBundle(bundlePath = DEFAULT_BUNDLE_PATH): Promise<{ code: string; rebuilt: boolean }> {
  const builtAt = existsSync(bundlePath) ? statSync(bundlePath).mtimeMs : 0;
  const stale = BUNDLED_SOURCES.some((dir) => existsSync(dir) && newestSourceMtime(dir) > builtAt);
  if (stale) await buildWorkflowBundle(bundlePath);
  return { code: readFileSync(bundlePath, 'utf8'), rebuilt: stale };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
