import { defaultPayloadConverter, type Headers } from '@temporalio/common';

/**
 * The Temporal header that carries the API request's id (X-Request-Id) from the client to the
 * workflow and on to the activities that request caused. Plain data and the SDK's payload
 * converter: the workflow bundle reads and writes it too.
 */
export const REQUEST_ID_HEADER = 'requestId';

export function requestIdOf(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/** `headers` with `requestId` added; unchanged without one. */
export function withRequestId(headers: Headers, requestId: string | undefined): Headers {
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
}
