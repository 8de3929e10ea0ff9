import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as Record<string, unknown>).__approvalsTestInfra as { child: ChildProcess; dataDir: string } | undefined;
  if (!infra) return;
  if (infra.child.exitCode === null) {
    const exited = new Promise((resolve) => infra.child.once('exit', resolve));
    infra.child.kill('SIGTERM');
    await exited;
  }
  rmSync(infra.dataDir, { recursive: true, force: true });
}
