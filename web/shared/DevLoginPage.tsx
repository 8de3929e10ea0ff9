import { useEffect, useState } from 'preact/hooks';
import { devLogIn } from './session';
import type { UserSession, UserSummary } from './types';

/** The sandbox's login (DEV_LOGIN=1): pick a demo user. Inside DingTalk, 免登 logs in instead. */
export function DevLoginPage({ onLoggedIn }: { onLoggedIn: (session: UserSession) => void }) {
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    fetch('/api/v1/auth/dev-login')
      .then((r) => r.json() as Promise<{ items?: UserSummary[]; error?: { message: string } }>)
      .then((answer) => (answer.items ? setUsers(answer.items) : setError(answer.error?.message ?? '无法读取用户')))
      .catch(() => setError('网络不可用'));
  }, []);
  const logIn = (userId: string) => {
    devLogIn(userId)
      .then(onLoggedIn)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <main class="login">
      <h1>选择登录身份</h1>
      <p class="hint">沙箱模式（DEV_LOGIN=1）：在钉钉中打开时会自动免登。</p>
      {error && <p class="error">{error}</p>}
      <ul class="people">
        {users.map((u) => (
          <li key={u.id}>
            <button type="button" onClick={() => logIn(u.id)} data-user={u.id}>
              <span class="avatar">{u.name.slice(-2)}</span>
              <span>
                {u.name}
                <small>
                  {u.title ? ` · ${u.title}` : ''} · {u.id}
                </small>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
