import { useEffect, useState } from 'preact/hooks';
import { post, whenSessionLost } from './api-client';
import { establishSession, forgetSession, type LoginOutcome } from './session';
import type { PageConfig, UserSession } from './types';

/** An app's login: the session established on load (免登, stored, or the sandbox's dev login), lost, taken by the dev login, ended by logout. */
export function useLogin(config: PageConfig): { outcome: LoginOutcome | 'pending'; loggedIn: (session: UserSession) => void; logout: () => void } {
  const [outcome, setOutcome] = useState<LoginOutcome | 'pending'>('pending');
  useEffect(() => {
    whenSessionLost(() => setOutcome(config.devLogin ? { devLogin: true } : { failed: '登录已过期，请重新打开' }));
    void establishSession(config).then(setOutcome);
  }, []);
  const logout = () => {
    void post('/auth/logout')
      .catch(() => undefined)
      .finally(() => {
        forgetSession();
        setOutcome(config.devLogin ? { devLogin: true } : { failed: '已退出' });
      });
  };
  return { outcome, loggedIn: (session) => setOutcome({ session }), logout };
}
