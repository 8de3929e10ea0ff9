import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../shared/api-client';
import { DetailPage } from './pages/Detail';
import { CcList, MineList, TaskList } from './pages/Lists';
import { DevLoginPage } from '../shared/DevLoginPage';
import { BASE, navigate, onLinkClick, pageOf, useLocation, type Page } from './router';
import { useLogin } from '../shared/use-login';
import { readPageConfig } from '../shared/types';
import type { SessionOwner, UserSession } from './types';
import './styles.css';

const config = readPageConfig();

const TABS = [
  { page: 'todo', href: `${BASE}/`, text: '待办' },
  { page: 'done', href: `${BASE}/done`, text: '已办' },
  { page: 'mine', href: `${BASE}/mine`, text: '我发起的' },
  { page: 'cc', href: `${BASE}/cc`, text: '抄送我的' },
] as const;

function Tabs({ page }: { page: Page['name'] }) {
  return (
    <nav class="tabs" aria-label="审批列表">
      {TABS.map((t) => (
        <a key={t.page} href={t.href} class={page === t.page ? 'active' : ''} aria-current={page === t.page ? 'page' : undefined}>
          {t.text}
        </a>
      ))}
    </nav>
  );
}

function Shell({ session, page, onLogout }: { session: UserSession; page: Page; onLogout: () => void }) {
  const [owner, setOwner] = useState<SessionOwner | undefined>();
  useEffect(() => {
    get<SessionOwner>('/me')
      .then(setOwner)
      .catch(() => undefined);
  }, [session.token]);
  const list = page.name === 'todo' || page.name === 'done' || page.name === 'mine' || page.name === 'cc';
  return (
    <div class="app" onClick={onLinkClick}>
      <header class="topbar">
        {list ? (
          <span class="brand">审批</span>
        ) : (
          <button type="button" class="link back" onClick={() => (history.length > 1 ? history.back() : navigate(`${BASE}/`))}>
            ‹ 返回
          </button>
        )}
        <span class="me" data-testid="me">
          {owner?.name ?? session.user.name}
        </span>
        <button type="button" class="link" onClick={onLogout}>
          退出
        </button>
      </header>
      {list && <Tabs page={page.name} />}
      {page.name === 'todo' && <TaskList status="pending" />}
      {page.name === 'done' && <TaskList status="closed" />}
      {page.name === 'mine' && <MineList userId={session.user.id} />}
      {page.name === 'cc' && <CcList />}
      {page.name === 'instance' && (
        <DetailPage
          key={`${page.instanceId}/${page.taskId ?? ''}`}
          instanceId={page.instanceId}
          me={session.user.id}
          {...(page.taskId ? { taskId: page.taskId } : {})}
          {...(page.ccId ? { ccId: page.ccId } : {})}
        />
      )}
      {page.name === 'not_found' && <p class="empty">页面不存在</p>}
    </div>
  );
}

function App() {
  const location = useLocation();
  const page = pageOf(location.pathname, location.search);
  const { outcome, loggedIn, logout } = useLogin(config);
  if (outcome === 'pending') return <p class="hint">登录中…</p>;
  if ('failed' in outcome) return <p class="error">{outcome.failed}</p>;
  if ('devLogin' in outcome || page.name === 'login') {
    // Logged in, the page the user was going to (the card's link) opens.
    const next = page.name === 'login' ? page.next : location.pathname + location.search;
    return <DevLoginPage onLoggedIn={(session) => (loggedIn(session), navigate(next.startsWith(`${BASE}`) ? next : `${BASE}/`, true))} />;
  }
  return <Shell session={outcome.session} page={page} onLogout={logout} />;
}

render(<App />, document.getElementById('app')!);
