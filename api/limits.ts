import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RouteSpec } from './contract/route';
import type { ApiEnv } from './context';
import { ApiError } from './errors';

/**
 * How large a request body may be, in bytes, checked before anything reads it (the signature
 * check hashes the body): a bigger one answers 413 `PAYLOAD_TOO_LARGE` and is not read into memory
 * (a declared Content-Length is refused at once; a chunked body is counted as it arrives). Every
 * route takes `default`; a route that needs more says so in its declaration (`bodyLimit`), and the
 * OpenAPI document states each route's limit. The bounds on what a body holds (forms, definitions,
 * signers, comments) are in engine/limits.ts; the request rate is configured in config/index.ts.
 */
export const BODY_LIMITS = {
  /** 1 MiB: a flow definition of 200 nodes is some 200 KB, a form at most 64 KiB. */
  default: 1024 * 1024,
  /**
   * 16 MiB: the org push takes up to 10,000 users or departments. 10,000 users with every field
   * filled (long ids, email, three departments and roles, DingTalk and ERP ids) measure 5.2 MiB,
   * 10,000 typical ones 1.7 MiB; 16 MiB leaves about 1.6 KiB per user.
   */
  orgPush: 16 * 1024 * 1024,
} as const;

/** The most bytes a route's request body may have. */
export const bodyLimitOf = (spec: Pick<RouteSpec, 'bodyLimit'>): number => spec.bodyLimit ?? BODY_LIMITS.default;

/** "1 MiB", "16 MiB", "512 KiB", "100 bytes": for messages and the OpenAPI document. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Refuses a body over `maxBytes` with 413 `PAYLOAD_TOO_LARGE` in the SPEC §6 error shape, before the
 * signature check reads it. The answer closes the connection (`Connection: close`): the rest of the
 * body is not read, so the connection cannot carry the client's next request.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<ApiEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `the request body is larger than this route accepts: at most ${maxBytes} bytes (${formatBytes(maxBytes)})`,
        { maxBytes },
        { Connection: 'close' },
      );
    },
  });
}
