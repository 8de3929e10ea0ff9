import type { SignedClient, SignedResponse } from '../../client/signed-client';

/** Every answer the driver got, by status, and the calls it could not reach the API with. */
export class Traffic {
  readonly byStatus = new Map<number, number>();
  networkErrors = 0;
  /** Calls sent again after a 5xx or a network error (same body, same idempotency key). */
  retries = 0;

  count(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  total(predicate: (status: number) => boolean): number {
    let sum = 0;
    for (const [status, n] of this.byStatus) if (predicate(status)) sum += n;
    return sum;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One API call as a careful ERP makes it: a 502/503/504 or a dropped connection is sent again
 * (newly signed, same body, so the same `actionId` / business key) until `deadlineMs` passes.
 * A 500 is counted (it is a bug) and retried too, so one bug does not hide the rest.
 */
export async function callWithRetry<T>(
  api: SignedClient,
  traffic: Traffic,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  deadlineMs = 180_000,
): Promise<SignedResponse<T>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const response = await api.request<T>(method, path, body);
      traffic.count(response.status);
      if (response.status < 500) return response;
    } catch {
      traffic.networkErrors += 1;
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer below 500 within ${deadlineMs} ms`);
    traffic.retries += 1;
    await sleep(200);
  }
}
