import { isGrpcServiceError } from '@temporalio/client';

/** postgres.js's own codes for a connection it lost or could not make, and the network's. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/** SQLSTATE classes of a server going away or not taking connections yet: 08 (connection exception), 57P (operator intervention: shutdown, crash, starting up). */
const unavailableSqlState = (code: string) => code.startsWith('08') || code.startsWith('57P');

/** gRPC UNAVAILABLE (the server is gone) and DEADLINE_EXCEEDED (no worker answered a query or an update in time, as while one restarts). */
const GRPC_TRANSIENT = new Set([4, 14]);

/**
 * Whether `err` (or what caused it: drizzle wraps the driver's error) says PostgreSQL or Temporal
 * cannot be reached right now — a restart, a failover — rather than that the request or our code
 * is wrong. The API answers those 503 with Retry-After: the caller may send the same request again.
 */
export function isDependencyOutage(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth += 1) {
    if (isGrpcServiceError(current) && current.code !== undefined && GRPC_TRANSIENT.has(current.code)) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || unavailableSqlState(code))) return true;
  }
  return false;
}
