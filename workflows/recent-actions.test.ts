import type { InstanceView } from '../engine/instance-view';
import { RECENT_ACTION_IDS, RECENT_ANSWERS, RecentActions } from './recent-actions';

const view = (label: string) => ({ instanceId: label }) as InstanceView;

describe('recent actions (a repeat after continue-as-new)', () => {
  it('knows every action applied, and answers a repeat with its first answer', () => {
    const recent = RecentActions.carried();
    recent.applied('a1');
    recent.answered('a1', view('first'));
    expect(recent.has('a1')).toBe(true);
    expect(recent.has('a2')).toBe(false);
    expect(recent.answerTo('a1', () => view('now'))).toEqual(view('first'));
  });

  it(`keeps the last ${RECENT_ACTION_IDS} ids and the last ${RECENT_ANSWERS} answers; an older repeat gets the current view and changes nothing`, () => {
    const recent = RecentActions.carried();
    for (let i = 1; i <= RECENT_ACTION_IDS + 30; i++) {
      recent.applied(`a${i}`);
      recent.answered(`a${i}`, view(`answer ${i}`));
    }
    const { ids, answers } = recent.snapshot();
    expect(ids).toHaveLength(RECENT_ACTION_IDS);
    expect(answers).toHaveLength(RECENT_ANSWERS);
    expect(recent.has('a30')).toBe(false);
    expect(recent.has('a31')).toBe(true);
    expect(recent.answerTo('a31', () => view('now'))).toEqual(view('now'));
    expect(recent.answerTo(`a${RECENT_ACTION_IDS + 30}`, () => view('now'))).toEqual(view(`answer ${RECENT_ACTION_IDS + 30}`));
  });

  it('carries over continue-as-new as a snapshot the next run starts from', () => {
    const recent = RecentActions.carried();
    recent.applied('a1');
    recent.answered('a1', view('first'));
    const next = RecentActions.carried(JSON.parse(JSON.stringify(recent.snapshot())));
    expect(next.has('a1')).toBe(true);
    expect(next.answerTo('a1', () => view('now'))).toEqual(view('first'));
  });
});
