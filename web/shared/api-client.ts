import { forgetSession, storedSession } from './session';

/** An error answer of the API (SPEC §6 shape), or a network failure. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error's `details` (SPEC §6): the fields or definition problems it names. */
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

/** Called when the session is no longer good (expired, revoked): the app goes back to login. */
let onSessionLost: () => void = () => undefined;
export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

/** A call to `/api/v1` with the user's session. */
export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const session = storedSession();
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        ...(session ? { Authorization: `Bearer ${session.token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', '网络不可用，请稍后重试');
  }
  const answer = (await response.json().catch(() => undefined)) as (T & { error?: { code: string; message: string; details?: unknown[] } }) | undefined;
  if (response.ok && answer !== undefined) return answer;
  const error = answer?.error ?? { code: 'HTTP_' + response.status, message: `请求失败（${response.status}）` };
  if (error.code === 'SESSION_INVALID' || error.code === 'SESSION_REQUIRED') {
    forgetSession();
    onSessionLost();
  }
  throw new ApiFailure(response.status, error.code, error.message, 'details' in error ? error.details : undefined);
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers);

export const instancePath = (instanceId: string) => `/instances/${encodeURIComponent(instanceId)}`;

/** A fresh idempotency key for one action the user means once (a double tap sends the same one). */
export function newActionId(): string {
  // getRandomValues, unlike randomUUID, works on a plain-http LAN address too.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `h5-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
