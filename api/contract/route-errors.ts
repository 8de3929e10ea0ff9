import { ERROR_CODES, type ErrorCode } from '../error-codes';
import type { RouteSpec } from './route';

const SIGNATURE_ERRORS: ErrorCode[] = ['MISSING_SIGNATURE', 'UNKNOWN_APP', 'STALE_TIMESTAMP', 'BAD_SIGNATURE', 'REPLAYED_NONCE'];
const SESSION_ERRORS: ErrorCode[] = ['SESSION_REQUIRED', 'SESSION_INVALID'];

/** Every error code a route may answer: its own, and those its body limit, its signature, its rate, its permission and its inputs imply. */
export function errorCodesOf(spec: RouteSpec): ErrorCode[] {
  const implied: ErrorCode[] = [
    // Any request but a GET may carry a body, which the signature check would read: each route has a size limit (api/limits.ts).
    ...(spec.body || spec.method !== 'get' ? (['PAYLOAD_TOO_LARGE'] as const) : []),
    ...(spec.body ? (['MALFORMED_JSON'] as const) : []),
    ...(spec.body || spec.query || spec.params ? (['VALIDATION_FAILED'] as const) : []),
    ...(spec.auth === 'none' || spec.auth === 'session' ? [] : SIGNATURE_ERRORS),
    ...(spec.auth === 'session' || spec.sessions ? SESSION_ERRORS : []),
    // Per app key and per session user (api/rate-limit.ts); unsigned routes are not limited.
    ...(spec.auth !== 'none' ? (['RATE_LIMITED'] as const) : []),
    ...(spec.auth !== 'none' && spec.auth !== 'signed' && spec.auth !== 'session' ? (['PERMISSION_DENIED'] as const) : []),
  ];
  return [...new Set([...implied, ...(spec.errors ?? [])])];
}

/** The codes by HTTP status, in the order they were listed. */
export function errorCodesByStatus(spec: RouteSpec): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(spec)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}
