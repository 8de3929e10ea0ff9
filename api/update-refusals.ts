import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { REFUSAL_CODES, type RefusalCode } from '../engine/refusals';
import { errorCodeOfRefusal } from './error-codes';
import { ApiError } from './errors';

const isRefusalCode = (type: string | undefined | null): type is RefusalCode => REFUSAL_CODES.includes(type as RefusalCode);

/**
 * An update the workflow's validator refused, as the API error it stands for (the failure type is
 * the refusal code; a bad form carries its problems); undefined for any other failure.
 */
export function refusalError(err: unknown): ApiError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure) || !isRefusalCode(err.cause.type)) return undefined;
  return new ApiError(errorCodeOfRefusal(err.cause.type), err.cause.message, err.cause.details?.[0]);
}
