import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

/**
 * Replays recorded histories of real runs (test/fixtures/histories, written by
 * `npm run record:histories`) against today's workflow bundle. A non-deterministic change —
 * one that would break instances already running — fails here; put such changes behind patched().
 */
const HISTORY_DIR = path.resolve(__dirname, '../fixtures/histories');
/** One folder per workflow generation (`skeleton-v1`, `engine-v2`, …): older ones are never re-recorded. */
const files = readdirSync(HISTORY_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('workflow replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    const generations = new Set(files.map((f) => path.dirname(f)));
    expect([...generations].sort()).toEqual([
      'engine-v2',
      'engine-v2.1',
      'engine-v2.2-projection',
      'engine-v2.3-erp',
      'engine-v2.4-departures',
      'engine-v2.5-one-input',
      'engine-v2.6-dingtalk',
      'engine-v2.7-observability',
      'engine-v2.8-local-lookups',
      'skeleton-v1',
    ]);
    expect(files.filter((f) => f.startsWith('engine-v2.1/')).length).toBeGreaterThanOrEqual(14);
    expect(files.filter((f) => f.startsWith('engine-v2.2-projection/')).length).toBeGreaterThanOrEqual(14);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORY_DIR, file), 'utf8')));
    const codePath = process.env.TEST_WORKFLOW_BUNDLE;
    if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE is not set: run through jest');
    await Worker.runReplayHistory({ workflowBundle: { codePath } }, history, file.replace(/\.json$/, '').replace(/[\\/]/g, '-'));
  });
});
