import postgres from 'postgres';

/**
 * Run as a child by postgres-connection-loss.int.test.ts: transactions whose backend is killed
 * between two statements (what a PostgreSQL restart does to the worker's projection writes).
 * Unpatched, postgres.js 3.4.9 writes the rollback to a socket it has already dropped, from a
 * setImmediate, and the process dies of an uncaught TypeError (porsager/postgres#1208). Prints
 * one JSON line: how each transaction ended and how many uncaught errors there were.
 */
async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: connection-loss-probe <database url>');
  const uncaught: string[] = [];
  process.on('uncaughtException', (err) => uncaught.push(err.message));
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  const outcomes: string[] = [];
  for (let i = 0; i < 10; i++) {
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      await sql.begin(async (tx) => {
        const [row] = await tx<Array<{ pid: number }>>`select pg_backend_pid() as pid`;
        await admin`select pg_terminate_backend(${row!.pid})`;
        await tx`select 1`;
      });
      outcomes.push('committed');
    } catch (err) {
      outcomes.push((err as { code?: string }).code ?? 'unknown');
    }
    await sql.end({ timeout: 0 });
  }
  await admin.end();
  process.stdout.write(`${JSON.stringify({ outcomes, uncaught })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
