import { MockActivityEnvironment } from '@temporalio/testing';
import { findProjectedTimeline, findProjectedView } from '../../db/instance-reads';
import { markAfter, nextProjection, NOTHING_PROJECTED, type ProjectionWrite } from '../../engine/projection';
import { Driver, line } from '../../test/support/engine-driver';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createProjectionActivities } from './project-instance';

let db: TestDatabase;
beforeAll(async () => (db = await createTestDatabase()));
afterAll(() => db?.drop());

/** Two successive writes of one instance: started, then after u1 approved. */
function twoWrites(): [ProjectionWrite, ProjectionWrite] {
  const d = Driver.start(line(['n', ['u1']], ['m', ['u2']]), { input: { instanceId: `approval:test_flow:${Math.random().toString(36).slice(2)}` } });
  const first = nextProjection(d.state, NOTHING_PROJECTED, new Map());
  d.after(5).approve('u1');
  const second = nextProjection(d.state, markAfter(first.write, NOTHING_PROJECTED), first.fingerprints);
  return [first.write, second.write];
}

describe('projectInstance (local activity)', () => {
  it('writes the view and the new timeline events', async () => {
    const { projectInstance } = createProjectionActivities(db.database.db);
    const [first, second] = twoWrites();
    await new MockActivityEnvironment().run(projectInstance, first);
    await new MockActivityEnvironment().run(projectInstance, second);
    expect(await findProjectedView(db.database.db, second.view.instanceId)).toEqual(second.view);
    expect((await findProjectedTimeline(db.database.db, second.view.instanceId))?.events.map((e) => e.seq)).toEqual(
      [...first.events, ...second.events].map((e) => e.seq),
    );
  });

  it('is safe to retry, and a late older write changes nothing', async () => {
    const { projectInstance } = createProjectionActivities(db.database.db);
    const [first, second] = twoWrites();
    const env = new MockActivityEnvironment();
    await env.run(projectInstance, first);
    await env.run(projectInstance, second);
    await new MockActivityEnvironment({ attempt: 2 }).run(projectInstance, second);
    await new MockActivityEnvironment({ attempt: 3 }).run(projectInstance, first);
    expect(await findProjectedView(db.database.db, second.view.instanceId)).toEqual(second.view);
    const seqs = (await findProjectedTimeline(db.database.db, second.view.instanceId))?.events.map((e) => e.seq);
    expect(seqs).toEqual([...new Set(seqs)]);
    expect(seqs).toHaveLength(first.events.length + second.events.length);
  });
});
