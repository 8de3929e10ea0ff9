import { instanceIdOf, parseInstanceId } from './instance-id';

describe('instance ids (SPEC §6)', () => {
  it('are approval:{flowCode}:{businessKey}, and parse back, a business key holding ":" and "/" included', () => {
    expect(instanceIdOf('purchase_order', 'PO-1')).toBe('approval:purchase_order:PO-1');
    expect(parseInstanceId(instanceIdOf('purchase_order', 'erp:PO/2026:1'))).toEqual({ flowCode: 'purchase_order', businessKey: 'erp:PO/2026:1' });
  });

  it('refuse anything else', () => {
    for (const id of ['', 'approval:', 'approval:po', 'approval:po:', 'task:po:1', 'approval:PO:1', 'approval::1']) expect(parseInstanceId(id)).toBeUndefined();
  });
});
