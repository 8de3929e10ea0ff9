import { z } from 'zod';
import { formBoundProblems, MAX_FORM_BYTES, MAX_FORM_FIELDS } from '../../engine/limits';

/** Building blocks of the request and answer schemas (SPEC §6). */

/** A required id-like string; a missing one is named "is required". */
export const key = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : undefined) })
  .min(1)
  .max(128);

export const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, such as 2025-01-31T09:00:00+08:00' });

/** A timestamp we answer with (UTC, ISO 8601). */
export const timestamp = z.string().describe('ISO 8601 date-time');

export const pageLimit = (max: number, fallback: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int(`must be a whole number from 1 to ${max}`)
    .min(1)
    .max(max)
    .default(fallback);

export const cursor = z.string().min(1).max(1000).describe('`nextCursor` of the previous page');

export const nextCursor = z.string().optional().describe('present when there is a next page: pass it as `cursor`');

/** A form's values (start, resubmit, preview), within engine/limits.ts's bounds: a bigger one is a field problem naming `form` and the bound. */
export const formValues = z
  .record(z.string(), z.unknown())
  .superRefine((form, ctx) => {
    for (const problem of formBoundProblems(form)) ctx.addIssue({ code: 'custom', message: problem.message });
  })
  .describe(`values of the flow’s form fields: at most ${MAX_FORM_FIELDS} fields and ${MAX_FORM_BYTES} bytes (64 KiB) as JSON`);

/** SPEC §6 error shape; `code` is one of the codes the route lists. */
export const errorBody = (codes: readonly [string, ...string[]]) =>
  z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      details: z.unknown().optional().describe('VALIDATION_FAILED: [{field, message}]; INVALID_DEFINITION: [{nodeId, field, message}]'),
    }),
  });
