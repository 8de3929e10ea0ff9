import type { Context } from 'hono';
import type { z } from 'zod';
import type { ApiEnv } from './context';
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
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ApiError(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${(err as Error).message}`);
  }
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
