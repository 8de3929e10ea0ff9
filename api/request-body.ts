import type { z } from 'zod';
import { ApiError, validationFailed, type FieldProblem } from './errors';

/** zod's issues as SPEC §6 field problems: `form.amount`, `query.limit`; an unknown field is named as such. */
export function fieldProblems(issues: z.core.$ZodIssue[], prefix = ''): FieldProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: prefix + [...issue.path.map(String), key].join('.'), message: 'is not a known field' }))
      : [{ field: prefix + (issue.path.map(String).join('.') || '(body)'), message: issue.message }],
  );
}

/** How deep objects and arrays may nest in a request body; no request of this API needs more than a few levels. */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of `[` / `{` in JSON text, outside strings: counted on the text, before anything recurses into it. */
function nestingDepth(raw: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return deepest;
}

/** Parses the raw body as JSON; malformed JSON is a 400 naming the problem. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === '') throw new ApiError('MALFORMED_JSON', 'the request body is empty; a JSON object was expected');
  // The checks after parsing walk the value recursively: a body nested thousands deep would overflow the stack.
  const depth = nestingDepth(raw);
  if (depth > MAX_JSON_DEPTH) throw validationFailed([{ field: '(body)', message: `nests ${depth} levels deep; at most ${MAX_JSON_DEPTH} are allowed` }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ApiError('MALFORMED_JSON', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  const nul = pathOfNulCharacter(parsed, []);
  // PostgreSQL stores no U+0000 (neither in text nor in jsonb): refused here, before anything is written.
  if (nul) throw validationFailed([{ field: nul.join('.') || '(body)', message: 'must not contain the NUL character (U+0000)' }]);
  return parsed;
}

function pathOfNulCharacter(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = pathOfNulCharacter(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = pathOfNulCharacter(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
