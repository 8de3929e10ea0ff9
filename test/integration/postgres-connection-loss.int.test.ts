import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { required } from '../support/test-database';

/**
 * A PostgreSQL restart must not take a process down: patches/postgres+3.4.9.patch (applied by
 * `npm install`'s postinstall) makes postgres.js reject the queries of a connection that closed
 * under a transaction instead of throwing an uncaught TypeError. Without it, the fault suite's
 * PostgreSQL restarts killed the worker. The probe runs in a child so that a crash is a crash.
 */

const ROOT = path.resolve(__dirname, '../..');
// 57P01: admin_shutdown, when the termination arrives with the statement; CONNECTION_CLOSED when it arrives first.
const CONNECTION_LOST = new Set(['57P01', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);

it('a transaction whose backend is killed is rejected, and the process lives on', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/support/connection-loss-probe.ts'), required('TEST_DATABASE_URL')],
    {
      cwd: ROOT,
      timeout: 120_000,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { outcomes: string[]; uncaught: string[] };
  expect(result.uncaught).toEqual([]);
  expect(result.outcomes).toHaveLength(10);
  expect(result.outcomes.filter((code) => !CONNECTION_LOST.has(code))).toEqual([]);
}, 150_000);
