import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/** An answer of SPEC §6's error shape: `{error: {code, message, details?}}`, with the status of its code. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Response headers the answer carries besides its body (`Retry-After` of a 429). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.status = ERROR_CODES[code].status;
  }

  toBody() {
    return { error: { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) } };
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** 400 `VALIDATION_FAILED`: the message joins the problems, `details` lists them. */
export function validationFailed(problems: FieldProblem[]): ApiError {
  return new ApiError('VALIDATION_FAILED', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
}
