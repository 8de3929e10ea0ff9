import { signedHeaders } from '../protocol/request-signature';

export interface SignedResponse<T = unknown> {
  status: number;
  body: T;
}

export interface SignedClient {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<SignedResponse<T>>;
  /** Sends `rawBody` exactly as given (for malformed-input tests). */
  requestRaw<T = unknown>(method: string, path: string, rawBody: string, headers?: Record<string, string>): Promise<SignedResponse<T>>;
}

/** An ERP-side client for this API: every request signed per SPEC §7. */
export function createSignedClient(options: { baseUrl: string; appKey: string; secret: string }): SignedClient {
  const requestRaw = async <T>(method: string, target: string, rawBody: string, extra: Record<string, string> = {}) => {
    // fetch drops an empty query (`/x?` is sent as `/x`): sign what is actually sent.
    const path = target.endsWith('?') ? target.slice(0, -1) : target;
    const headers = {
      ...signedHeaders({ appKey: options.appKey, secret: options.secret }, { method, path, body: rawBody }),
      ...(rawBody ? { 'Content-Type': 'application/json' } : {}),
      ...extra,
    };
    const response = await fetch(options.baseUrl + path, { method, headers, ...(rawBody ? { body: rawBody } : {}) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    request: (method, path, body) => requestRaw(method, path, body === undefined ? '' : JSON.stringify(body)),
    requestRaw,
  };
}
