import type { Context } from 'hono';
import type { z } from 'zod';
import type { ApiEnv } from './context';
import { InvalidCursorError } from '../db/keyset';
import { ApiError } from './errors';

export interface FieldProblem {
  field: string;
  message: string;
}

export function fieldProblems(issues: z.core.$ZodIssue[], prefix = ''): FieldProblem[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: prefix + [...issue.path.map(String), key].join('.'), message: 'is not a known field' }))
      : [{ field: prefix + (issue.path.map(String).join('.') || '(body)'), message: issue.message }],
  );
}

/** Parses the raw body as JSON; malformed JSON is a 400 naming the problem. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === '') throw new ApiError(400, 'MALFORMED_JSON', 'the request body is empty; a JSON object was expected');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ApiError(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  const nul = pathOfNulCharacter(parsed, []);
  if (nul) {
    const field = nul.join('.') || '(body)';
    // PostgreSQL stores no U+0000 (neither in text nor in jsonb): refused here, before anything is written.
    throw new ApiError(400, 'VALIDATION_FAILED', `${field}: must not contain the NUL character (U+0000)`, [
      { field, message: 'must not contain the NUL character (U+0000)' },
    ]);
  }
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

/** The signed raw body, parsed and checked against `schema`; 400 names every bad field. */
export function validatedBody<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): z.infer<S> {
  const parsed = schema.safeParse(parseJson(c.get('rawBody')));
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error.issues);
    throw new ApiError(400, 'VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  }
  return parsed.data;
}

/** The query string checked against `schema`; 400 names every bad parameter. */
export function validatedQuery<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error.issues, 'query.');
    throw new ApiError(400, 'VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  }
  return parsed.data;
}

/** A page, or 400 naming `query.cursor` when the cursor is not one a page returned. */
export async function pagedOrBadCursor<T>(page: () => Promise<T>): Promise<T> {
  try {
    return await page();
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw new ApiError(400, 'VALIDATION_FAILED', `query.cursor: ${err.message}`, [{ field: 'query.cursor', message: err.message }]);
    }
    throw err;
  }
}
