import { toInstanceView } from './instance-view';
import { markAfter, nextProjection, NOTHING_PROJECTED, type ProjectionMark, type ProjectionWrite } from './projection';
import type { InstanceState } from './state';
import { Driver, line, minutesAfter } from '../test/support/engine-driver';

/**
 * The workflow's bookkeeping around a projection write, as approval.ts does it: compute the
 * write from the mark and the fingerprints, then (once written) remember both.
 */
class Projector {
  mark: ProjectionMark = NOTHING_PROJECTED;
  written: ReadonlyMap<string, string> = new Map();

  next(state: InstanceState): ProjectionWrite {
    const { write, fingerprints } = nextProjection(state, this.mark, this.written);
    this.mark = markAfter(write, this.mark);
    this.written = fingerprints;
    return write;
  }
}

const seqs = (write: ProjectionWrite) => write.events.map((e) => e.seq);

describe('nextProjection', () => {
  it('the first write carries revision 1, the whole view, every task and every event', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']], ['b', ['u3']]));
    const { write, fingerprints } = nextProjection(d.state, NOTHING_PROJECTED, new Map());
    expect(write.revision).toBe(1);
    expect(write.view).toEqual(toInstanceView(d.state));
    expect(write.changedTaskIds).toEqual(d.state.tasks.map((t) => t.taskId));
    expect(write.changedTaskIds).toHaveLength(2);
    expect(write.events).toEqual(d.state.timeline);
    expect(seqs(write)).toEqual(d.state.timeline.map((_, i) => i + 1));
    expect([...fingerprints.keys()]).toEqual(write.changedTaskIds);
  });

  it('a write after no change carries no task and no event, and the next revision', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']]));
    const p = new Projector();
    p.next(d.state);
    const again = p.next(d.state);
    expect(again.revision).toBe(2);
    expect(again.changedTaskIds).toEqual([]);
    expect(again.events).toEqual([]);
    expect(again.view).toEqual(toInstanceView(d.state));
    expect(p.next(d.state).revision).toBe(3);
  });

  it('carries only the tasks that changed since the last write', () => {
    const d = Driver.start(line(['a', ['u1', 'u2', 'u3']], ['b', ['u4']]));
    const p = new Projector();
    p.next(d.state);
    const [t1, t2, t3] = d.tasks('a');
    d.after(1).approve('u2');
    const afterApprove = p.next(d.state);
    expect(afterApprove.changedTaskIds).toEqual([t2!.taskId]);
    expect(afterApprove.view.tasks.find((t) => t.taskId === t2!.taskId)?.status).toBe('approved');

    // a comment changes no task
    d.after(1).do('comment', 'u1', { comment: '看一下' });
    expect(p.next(d.state).changedTaskIds).toEqual([]);

    // the last two approvals close the node and open b: the two tasks, and the new one
    d.after(1).approve('u1');
    d.after(1).approve('u3');
    const [t4] = d.tasks('b');
    expect(p.next(d.state).changedTaskIds).toEqual([t1!.taskId, t3!.taskId, t4!.taskId]);
  });

  it('carries only the events beyond mark.eventSeq', () => {
    const d = Driver.start(line(['a', ['u1']], ['b', ['u2']]));
    const p = new Projector();
    const first = p.next(d.state);
    const firstMax = Math.max(...seqs(first));
    expect(p.mark.eventSeq).toBe(firstMax);

    d.after(5).approve('u1');
    const second = p.next(d.state);
    expect(second.events.length).toBeGreaterThan(0);
    expect(second.events).toEqual(d.state.timeline.filter((e) => e.seq > firstMax));
    expect(seqs(second)[0]).toBe(firstMax + 1);

    // with a mark given directly: exactly the events past it
    const { write } = nextProjection(d.state, { revision: 7, eventSeq: 3 }, new Map());
    expect(write.revision).toBe(8);
    expect(seqs(write)).toEqual(d.state.timeline.filter((e) => e.seq > 3).map((e) => e.seq));
  });

  it('a fresh fingerprint map (after continue-as-new) rewrites every task once, but no event already written', () => {
    const d = Driver.start(line(['a', ['u1', 'u2']]));
    const p = new Projector();
    p.next(d.state);
    const resumed = nextProjection(d.state, p.mark, new Map()).write;
    expect(resumed.changedTaskIds).toEqual(d.state.tasks.map((t) => t.taskId));
    expect(resumed.events).toEqual([]);
    expect(resumed.revision).toBe(2);
  });

  it('leaves the state it is given untouched', () => {
    const d = Driver.start(line(['a', ['u1']]));
    const before = JSON.stringify(d.state);
    nextProjection(d.state, NOTHING_PROJECTED, new Map());
    expect(JSON.stringify(d.state)).toBe(before);
  });

  it('a finished instance projects its final status and completion', () => {
    const d = Driver.start(line(['a', ['u1']]));
    const p = new Projector();
    p.next(d.state);
    d.at(minutesAfter(10)).approve('u1');
    const last = p.next(d.state);
    expect(last.view).toMatchObject({ status: 'approved', completedAt: minutesAfter(10), currentNodeIds: [] });
    expect(last.events.at(-1)).toMatchObject({ type: 'instance_completed' });
    expect(last.changedTaskIds).toEqual([d.task('u1').taskId]);
  });
});

describe('markAfter', () => {
  it('takes the write revision and the highest event seq', () => {
    const d = Driver.start(line(['a', ['u1']]));
    const { write } = nextProjection(d.state, NOTHING_PROJECTED, new Map());
    expect(markAfter(write, NOTHING_PROJECTED)).toEqual({ revision: 1, eventSeq: d.state.timeline.at(-1)!.seq });
  });

  it('keeps the mark seq when the write carries no event, and the max seq whatever the event order', () => {
    const d = Driver.start(line(['a', ['u1']]));
    const { write } = nextProjection(d.state, NOTHING_PROJECTED, new Map());
    expect(markAfter({ ...write, revision: 5, events: [] }, { revision: 4, eventSeq: 9 })).toEqual({ revision: 5, eventSeq: 9 });
    const shuffled = [...write.events].reverse();
    expect(markAfter({ ...write, events: shuffled }, NOTHING_PROJECTED).eventSeq).toBe(Math.max(...write.events.map((e) => e.seq)));
    // never goes backwards: events below the mark do not lower it
    expect(markAfter({ ...write, revision: 2, events: write.events.slice(0, 1) }, { revision: 1, eventSeq: 40 })).toEqual({ revision: 2, eventSeq: 40 });
  });
});
