import { parseDefinitionForPublish } from '../../engine/parse-definition';
import { problemText } from './problem-text';

describe('the designer’s words for the API’s problems', () => {
  it('says in Chinese what a half-built flow lacks, naming what the message names', () => {
    const parsed = parseDefinitionForPublish({
      code: 'half',
      name: 'half',
      form: { fields: [{ key: 'amount', type: 'number' }] },
      nodes: [
        { id: 'start', type: 'start', next: 'a' },
        { id: 'a', type: 'approval', approvers: { type: 'users', ids: [] }, mode: 'any', next: 'end' },
        { id: 'end', type: 'end' },
      ],
    });
    if (parsed.ok) throw new Error('expected problems');
    expect(parsed.problems.map((p) => problemText(p.message))).toEqual(['请至少选择一位成员']);
    expect(problemText('form has no field "amount"')).toBe('表单中没有字段「amount」');
    expect(problemText('leads back to "mgr": cycles are not allowed (use the return action instead)')).toBe(
      '回到了节点「mgr」：流程不能有环（退回请用审批动作）',
    );
    expect(problemText('must be a number, like field "amount"')).toBe('取值须为数字');
  });

  it('shows a message it does not know as the API wrote it', () => {
    expect(problemText('something new')).toBe('something new');
  });
});
