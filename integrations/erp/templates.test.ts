import type { TemplateContext } from '../../engine/template-context';
import { renderBody, renderPath, templateIssues, templateProblems } from './templates';

const ctx: TemplateContext = {
  form: { amount: 1200.5, title: '办公 用品/二季度', approved: true, lines: [{ sku: 'A', qty: 2 }], empty: null },
  instance: { id: 'approval:po:PO-1' },
  businessKey: 'PO-1',
  source: { system: 'erp', type: 'purchase.order', id: 'PO 1/2' },
  status: 'approved',
};

describe('templateProblems', () => {
  it('accepts every known template, with or without whitespace inside the braces', () => {
    const value = {
      a: '{{form.amount}}',
      b: '{{ instance.id }}',
      c: 'x-{{businessKey}}-{{source.id}}-{{source.type}}-{{source.system}}-{{  status  }}',
      d: ['{{form.title}}', { e: '{{form._x1}}' }],
      n: 42,
      t: true,
      z: null,
    };
    expect(templateProblems(value, 'operations.op.body')).toEqual([]);
  });

  it('names each unknown template with where it is', () => {
    const value = { amount: '{{foo}}', nested: { list: ['ok', 'x {{ form }} y {{instance.name}}'] }, bad: '{{form.a.b}}' };
    expect(templateProblems(value, 'operations.reserve_budget.body')).toEqual([
      'operations.reserve_budget.body.amount: unknown template {{foo}}',
      'operations.reserve_budget.body.nested.list.1: unknown template {{form}}',
      'operations.reserve_budget.body.nested.list.1: unknown template {{instance.name}}',
      'operations.reserve_budget.body.bad: unknown template {{form.a.b}}',
    ]);
    expect(templateProblems('/budgets/{{ source.name }}', 'writeBack.path')).toEqual(['writeBack.path: unknown template {{source.name}}']);
    expect(templateProblems('{{}}', 'p')).toEqual(['p: unknown template {{}}']);
  });

  it('stays linear on pathological input ("{{" followed by a long run of spaces)', () => {
    const started = Date.now();
    expect(templateIssues('{{' + ' '.repeat(20_000))).toEqual([]);
    expect(renderBody('x {{' + ' '.repeat(20_000), ctx)).toBe('x {{' + ' '.repeat(20_000));
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reports paths as arrays too, and ignores text that only looks like braces', () => {
    expect(templateIssues({ a: [{ b: '{{nope}}' }] })).toEqual([{ path: ['a', 0, 'b'], template: '{{nope}}', message: 'unknown template {{nope}}' }]);
    expect(templateIssues(['{ single }', '{{ not closed', '}} reversed {{'])).toEqual([]);
  });
});

describe('renderPath', () => {
  it('substitutes URI-component-encoded values and leaves the rest of the path alone', () => {
    expect(renderPath('/budgets/{{source.id}}/reserve?po={{ businessKey }}&t={{form.title}}', ctx)).toBe(
      '/budgets/PO%201%2F2/reserve?po=PO-1&t=%E5%8A%9E%E5%85%AC%20%E7%94%A8%E5%93%81%2F%E4%BA%8C%E5%AD%A3%E5%BA%A6',
    );
    expect(renderPath('/i/{{instance.id}}/{{status}}/{{form.amount}}', ctx)).toBe('/i/approval%3Apo%3APO-1/approved/1200.5');
  });

  it('renders missing values as empty and keeps unknown templates as written', () => {
    expect(renderPath('/x/{{form.missing}}/{{form.empty}}', ctx)).toBe('/x//');
    expect(renderPath('/x/{{source.id}}', { ...ctx, source: undefined })).toBe('/x/');
    expect(renderPath('/x/{{foo}}', ctx)).toBe('/x/{{foo}}');
  });
});

describe('renderBody', () => {
  it('keeps the JSON type of a string that is exactly one template', () => {
    const body = {
      amount: '{{form.amount}}',
      approved: '{{ form.approved }}',
      lines: '{{form.lines}}',
      empty: '{{form.empty}}',
      missing: '{{form.missing}}',
      instanceId: '{{instance.id}}',
      status: '{{status}}',
    };
    expect(renderBody(body, ctx)).toEqual({
      amount: 1200.5,
      approved: true,
      lines: [{ sku: 'A', qty: 2 }],
      empty: null,
      missing: null,
      instanceId: 'approval:po:PO-1',
      status: 'approved',
    });
  });

  it('interpolates strings that mix text and templates (missing → ""), at any depth', () => {
    const body = {
      memo: 'PO {{businessKey}}: {{form.amount}} ({{form.missing}}) {{form.approved}}',
      items: [{ note: '{{source.type}}/{{source.id}}' }, 7, null, false, ' {{form.amount}}'],
      obj: 'lines={{form.lines}}',
    };
    expect(renderBody(body, ctx)).toEqual({
      memo: 'PO PO-1: 1200.5 () true',
      items: [{ note: 'purchase.order/PO 1/2' }, 7, null, false, ' 1200.5'],
      obj: 'lines=[{"sku":"A","qty":2}]',
    });
  });

  it('a missing source renders null as a whole value and "" inside text', () => {
    const noSource = { ...ctx, source: undefined };
    expect(renderBody({ id: '{{source.id}}', text: 'src={{source.system}}' }, noSource)).toEqual({ id: null, text: 'src=' });
  });

  it('leaves unknown templates and non-template values alone, and never mutates its input', () => {
    const body = { a: '{{foo}}', b: 'x {{bar}}', c: 3, d: [true, null] };
    const copy = structuredClone(body);
    expect(renderBody(body, ctx)).toEqual(body);
    expect(body).toEqual(copy);
    const rendered = renderBody({ lines: '{{form.lines}}' }, ctx) as { lines: Array<{ qty: number }> };
    rendered.lines[0]!.qty = 99;
    expect(ctx.form.lines).toEqual([{ sku: 'A', qty: 2 }]);
  });

  it('does not evaluate anything and keeps a "__proto__" key as plain data', () => {
    const body = JSON.parse('{"__proto__": {"polluted": "{{businessKey}}"}, "x": "{{ constructor }}"}') as unknown;
    const rendered = renderBody(body, ctx) as Record<string, unknown>;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(Object.hasOwn(rendered, '__proto__')).toBe(true);
    expect(rendered['__proto__']).toEqual({ polluted: 'PO-1' });
    expect(rendered.x).toBe('{{ constructor }}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renders scalars and arrays given at the top level', () => {
    expect(renderBody('{{form.amount}}', ctx)).toBe(1200.5);
    expect(renderBody(['{{businessKey}}'], ctx)).toEqual(['PO-1']);
    expect(renderBody(undefined, ctx)).toBeUndefined();
  });
});
