import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../shared/api-client';
import { linkClickWithin } from '../shared/links';
import { DevLoginPage } from '../shared/DevLoginPage';
import { useLogin } from '../shared/use-login';
import { readPageConfig, type SessionOwner, type UserSession } from '../shared/types';
import { FlowEditor } from './pages/FlowEditor';
import { FlowList } from './pages/FlowList';
import { BASE, pageOf, useLocation } from './router';
import './styles.css';

/** The flow designer (流程设计器) at /designer/: flow admins build, check, preview and publish flows. Same session as the H5 app. */

const config = readPageConfig();

const onLinkClick = linkClickWithin(BASE);

function Shell({ session, onLogout }: { session: UserSession; onLogout: () => void }) {
  const page = pageOf(useLocation().pathname);
  const [owner, setOwner] = useState<SessionOwner | undefined>();
  useEffect(() => {
    get<SessionOwner>('/me')
      .then(setOwner)
      .catch(() => undefined);
  }, [session.token]);
  return (
    <div class="designer" onClick={onLinkClick}>
      <header class="topbar">
        <a class="brand" href={`${BASE}/`}>
          审批流程设计器
        </a>
        <span class="me" data-testid="me">
          {owner?.name ?? session.user.name}
        </span>
        <button type="button" class="link" onClick={onLogout}>
          退出
        </button>
      </header>
      {page.name === 'list' && <FlowList flowAdmin={owner?.flowAdmin} />}
      {page.name === 'flow' && <FlowEditor key={page.code} code={page.code} />}
      {page.name === 'not_found' && <p class="hint page-hint">页面不存在</p>}
    </div>
  );
}

function App() {
  const { outcome, loggedIn, logout } = useLogin(config);
  if (outcome === 'pending') return <p class="hint page-hint">登录中…</p>;
  if ('failed' in outcome) return <p class="error page-error">{outcome.failed}</p>;
  if ('devLogin' in outcome) return <DevLoginPage onLoggedIn={loggedIn} />;
  return <Shell session={outcome.session} onLogout={logout} />;
}

render(<App />, document.getElementById('app')!);
