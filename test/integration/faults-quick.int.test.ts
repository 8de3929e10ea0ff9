import { startFaultStack, type FaultStack } from '../faults/fault-stack';
import { SCENARIOS, type ScenarioRow } from '../faults/scenarios';
import { formatTable } from '../faults/table';
import { installQuietRuntime } from '../support/test-stack';

/**
 * The fault suite's quick scale inside `npm test` (the full one is `npm run test:faults`): every
 * scenario, each on the same fault stack, each row checked for losses.
 */

jest.setTimeout(900_000);

describe('faults (quick)', () => {
  let stack: FaultStack;
  const rows: ScenarioRow[] = [];
  beforeAll(async () => {
    installQuietRuntime();
    stack = await startFaultStack();
  });
  afterAll(async () => {
    await stack?.stop();
    if (rows.length > 0) console.log(formatTable(rows, 'quick'));
  });

  it.each(SCENARIOS.map((scenario, i) => [`(${String.fromCharCode(97 + i)}) ${scenario.name}`, scenario] as const))('%s', async (_, scenario) => {
    const row = await scenario(stack, 'quick');
    rows.push(row);
    const losses = {
      wrongFinalStates: row.wrongFinalStates,
      lostSideEffects: row.lostSideEffects,
      duplicatedSideEffects: row.duplicatedSideEffects,
      drift: row.drift,
      orphanTasks: row.orphanTasks,
      internalErrors: row.internalErrors,
    };
    expect({ ...losses, problems: Object.values(losses).some((n) => n > 0) ? row.problems.slice(0, 20) : [] }).toEqual({
      wrongFinalStates: 0,
      lostSideEffects: 0,
      duplicatedSideEffects: 0,
      drift: 0,
      orphanTasks: 0,
      internalErrors: 0,
      problems: [],
    });
    expect(row.faults).toBeGreaterThan(0);
  });
});
