import { expectOk } from './fixtures';
import type { TestStack } from './test-stack';

/** A user's side of the API: a session from the dev login, and calls that carry it (`Authorization: Bearer`). */
export interface UserClient {
  userId: string;
  token: string;
  request<T = unknown>(method: 'GET' | 'POST', target: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function bearerRequest<T>(baseUrl: string, token: string, method: string, target: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(baseUrl + target, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Logs in as `userId` through `POST /api/v1/auth/dev-login` (the stack needs `devLogin: true`). */
export async function logInAs(stack: TestStack, userId: string): Promise<UserClient> {
  const response = await fetch(`${stack.baseUrl}/api/v1/auth/dev-login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const session = await expectOk<{ token: string }>(response.json().then((body: unknown) => ({ status: response.status, body: body as { token: string } })));
  return {
    userId,
    token: session.token,
    request: (method, target, body) => bearerRequest(stack.baseUrl, session.token, method, target, body),
  };
}
