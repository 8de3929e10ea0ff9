import { ApiError } from './errors';
import { MAX_JSON_DEPTH, parseJson } from './request-body';

const nested = (depth: number) => `{"form":{"deep":${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;

describe('parseJson', () => {
  it(`takes nesting up to ${MAX_JSON_DEPTH} levels`, () => {
    expect(parseJson(nested(MAX_JSON_DEPTH))).toHaveProperty('form.deep');
  });

  it('refuses deeper nesting with a field problem, before anything recurses into it (50,000 levels)', () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 50_000]) {
      let thrown: unknown;
      try {
        parseJson(nested(depth));
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ApiError);
      expect((thrown as ApiError).code).toBe('VALIDATION_FAILED');
      expect((thrown as ApiError).message).toContain(`nests ${depth} levels deep`);
    }
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ note: `${'['.repeat(500)} \\" ${'{'.repeat(500)}` });
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });
});
