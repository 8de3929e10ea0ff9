import { clickActionId, clickedAction } from './card-clicks';

const click = (content: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'actionCallback',
  outTrackId: 'apv_1',
  userId: 'dt_1',
  content: typeof content === 'string' ? content : JSON.stringify(content),
  ...extra,
});

describe('a card click', () => {
  it('names its action by params.action, else by the first action id', () => {
    expect(clickedAction(click({ cardPrivateData: { actionIds: ['reject'], params: { action: 'approve' } } }))).toBe('approve');
    expect(clickedAction(click({ cardPrivateData: { actionIds: ['reject'] } }))).toBe('reject');
  });

  it('anything else is no action', () => {
    expect(clickedAction(click({ cardPrivateData: { params: { action: 'transfer' } } }))).toBeUndefined();
    expect(clickedAction(click('not json'))).toBeUndefined();
    expect(clickedAction(click({}))).toBeUndefined();
  });

  it('reads `value` when `content` is missing', () => {
    expect(
      clickedAction({ type: 'actionCallback', outTrackId: 'x', userId: 'u', value: JSON.stringify({ cardPrivateData: { actionIds: ['approve'] } }) }),
    ).toBe('approve');
  });

  it('the same button of the same card by the same person is one action id; anything else another', () => {
    const id = clickActionId('apv_1', 'dt_1', 'approve');
    expect(clickActionId('apv_1', 'dt_1', 'approve')).toBe(id);
    expect(
      new Set([id, clickActionId('apv_1', 'dt_1', 'reject'), clickActionId('apv_2', 'dt_1', 'approve'), clickActionId('apv_1', 'dt_2', 'approve')]).size,
    ).toBe(4);
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });
});
