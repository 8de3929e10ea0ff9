import type { PageConfig, UserSession } from './types';

/**
 * The user's session (SPEC §7) in this browser: from 免登 inside DingTalk, from the code the
 * DingTalk sandbox hands over in the fragment, or from the sandbox's dev login.
 */

const STORAGE_KEY = 'approval.h5.session';

export function storedSession(): UserSession | undefined {
  try {
    const session = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as UserSession | null;
    return session && Date.parse(session.expiresAt) > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: UserSession): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  localStorage.removeItem(STORAGE_KEY);
}

export class LoginFailed extends Error {}

async function postJson(path: string, body: unknown): Promise<UserSession> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json().catch(() => undefined)) as (UserSession & { error?: { message: string } }) | undefined;
  if (!response.ok || !answer || answer.error) throw new LoginFailed(answer?.error?.message ?? `登录失败（${response.status}）`);
  return answer;
}

/** A 免登 code the DingTalk sandbox put in the fragment (`#dd_auth_code=…`), taken out of the address at once. */
function codeFromFragment(): string | undefined {
  const code = new URLSearchParams(location.hash.slice(1)).get('dd_auth_code');
  if (code) history.replaceState(history.state, '', location.pathname + location.search);
  return code ?? undefined;
}

const insideDingTalk = () => /DingTalk/i.test(navigator.userAgent);

async function codeFromDingTalk(corpId: string): Promise<string> {
  const { default: requestAuthCode } = await import('dingtalk-jsapi/api/runtime/permission/requestAuthCode');
  return (await requestAuthCode({ corpId })).code;
}

export type LoginOutcome = { session: UserSession } | { devLogin: true } | { failed: string };

/**
 * A live session, by the first way that works: a code handed to this page (it names who opened
 * the link, so it wins over a stored session), the stored session, DingTalk's JSAPI; else the
 * dev login page in the sandbox, or a message saying where to open the page.
 */
export async function establishSession(config: PageConfig): Promise<LoginOutcome> {
  try {
    const handed = codeFromFragment();
    if (handed) return { session: remember(await postJson('/api/v1/auth/dingtalk', { authCode: handed })) };
    const stored = storedSession();
    if (stored) return { session: stored };
    if (insideDingTalk() && config.corpId)
      return { session: remember(await postJson('/api/v1/auth/dingtalk', { authCode: await codeFromDingTalk(config.corpId) })) };
    if (config.devLogin) return { devLogin: true };
    return { failed: '请在钉钉工作台中打开审批应用' };
  } catch (err) {
    return { failed: err instanceof Error ? err.message : String(err) };
  }
}

export async function devLogIn(userId: string): Promise<UserSession> {
  return remember(await postJson('/api/v1/auth/dev-login', { userId }));
}

function remember(session: UserSession): UserSession {
  saveSession(session);
  return session;
}
