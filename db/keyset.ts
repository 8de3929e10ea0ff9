/**
 * Keyset paging: a cursor is the sort key of the last row of a page — a timestamp as Postgres
 * printed it, then the ids that break ties — opaque to clients (base64url JSON).
 */
export function encodeCursor(key: [createdAt: string, ...ids: string[]]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export class InvalidCursorError extends Error {
  constructor() {
    super('is not a cursor this list returned');
  }
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** The key a cursor holds: `size` strings, the first a timestamp; anything else is an InvalidCursorError. */
export function decodeCursor(cursor: string, size: number): string[] {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) throw new InvalidCursorError();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(key) || key.length !== size || !key.every((k) => typeof k === 'string' && k.length > 0 && k.length <= 200)) throw new InvalidCursorError();
  const at = key[0] as string;
  if (!TIMESTAMP.test(at) || Number.isNaN(Date.parse(at.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')))) throw new InvalidCursorError();
  return key as string[];
}

/** Runs a page query; a cursor timestamp Postgres still refuses (Feb 30) is the cursor's fault. */
export async function withCursor<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    // drizzle wraps the driver's error: Postgres' code is on the cause.
    const code = (err as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
    if (code === '22007' || code === '22008') throw new InvalidCursorError();
    throw err;
  }
}

/**
 * A page from rows fetched with `limit + 1`: the extra row only says there is more, and the
 * cursor is the key of the last row shown.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => [createdAt: string, ...ids: string[]],
  toItem: (row: R) => T,
): { items: T[]; nextCursor?: string } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(toItem), ...(rows.length > limit && last !== undefined ? { nextCursor: encodeCursor(keyOf(last)) } : {}) };
}

/** A timestamp as Postgres prints it, as the ISO string the API answers with. */
export function isoTimestamp(value: string): string;
export function isoTimestamp(value: string | null): string | undefined;
export function isoTimestamp(value: string | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}
