import type { FakeCard } from './fake-card';
import type { FakeDingTalkState, RecordedClick } from './fake-dingtalk-state';
import type { FakeUser } from './fake-org';
import type { FakeNotice } from './notice-book';
import { isTodoDoneFor, type FakeTodo } from './todo-book';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Only http(s) links are rendered as links. */
function safeHref(url: unknown): string | undefined {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? escapeHtml(url) : undefined;
}

/**
 * A link the user opens, as DingTalk's container would open it: the page may ask
 * `dd.requestAuthCode` for a 免登 code. Outside DingTalk there is no JSAPI, so the link goes by
 * `/_sandbox/open`, which hands the page a code in the fragment (`#dd_auth_code=…`, never sent to a server).
 */
function openHref(userid: string, url: unknown): string | undefined {
  if (!safeHref(url)) return undefined;
  return escapeHtml(`/_sandbox/open?${new URLSearchParams({ userid, url: url as string }).toString()}`);
}

function time(at: number): string {
  return new Date(at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** Card params the page lays out itself; any others are listed under 其他字段. */
const CARD_LAYOUT_KEYS = new Set(['title', 'initiator', 'fields', 'statusText', 'status', 'actionable', 'detailUrl', 'notice']);

function fieldsOf(raw: string | undefined): Array<{ label: string; value: string }> | string | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return raw;
    return parsed.map((f: unknown) => {
      const field = typeof f === 'object' && f !== null ? (f as Record<string, unknown>) : {};
      const value = field.value;
      return { label: typeof field.label === 'string' ? field.label : '', value: typeof value === 'string' ? value : JSON.stringify(value ?? '') };
    });
  } catch {
    return raw;
  }
}

function renderCard(card: FakeCard, params: Record<string, string>, userid: string): string {
  const fields = fieldsOf(params.fields);
  const fieldsHtml =
    fields === undefined
      ? ''
      : typeof fields === 'string'
        ? `<p class="raw">${escapeHtml(fields)}</p>`
        : `<dl class="fields">${fields.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('')}</dl>`;
  const others = Object.entries(params).filter(([key, value]) => !CARD_LAYOUT_KEYS.has(key) && value !== '');
  const othersHtml = others.length
    ? `<details><summary>其他字段</summary><dl class="fields">${others.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl></details>`
    : '';
  const buttons =
    params.actionable === 'true'
      ? `<form method="post" action="/_sandbox/click" class="actions">
<input type="hidden" name="outTrackId" value="${escapeHtml(card.outTrackId)}">
<input type="hidden" name="userId" value="${escapeHtml(userid)}">
<button name="action" value="approve" class="approve">同意</button>
<button name="action" value="reject" class="reject">拒绝</button>
</form>`
      : '';
  const detail = openHref(userid, params.detailUrl);
  return `<article class="card">
<div class="card-head"><strong>${escapeHtml(params.title ?? card.templateId)}</strong><span class="badge status-${escapeHtml(params.status ?? '')}">${escapeHtml(params.statusText ?? params.status ?? '')}</span></div>
${params.initiator ? `<p class="meta">发起人：${escapeHtml(params.initiator)}</p>` : ''}
${fieldsHtml}
${params.notice ? `<p class="notice">${escapeHtml(params.notice)}</p>` : ''}
${othersHtml}
${buttons}
${detail ? `<p><a class="detail" href="${detail}">查看详情</a></p>` : ''}
<p class="small">${escapeHtml(card.outTrackId)} · ${escapeHtml(card.callbackType ?? '无回调')} · 创建 ${escapeHtml(time(card.createdAt))} · 更新 ${card.updateCount} 次</p>
</article>`;
}

function renderTodo(todo: FakeTodo, unionid: string, userid: string): string {
  const done = isTodoDoneFor(todo, unionid);
  const link = openHref(userid, todo.detailUrl.appUrl);
  return `<li class="${done ? 'done' : 'open'}"><span class="badge">${done ? '已完成' : '待处理'}</span> ${escapeHtml(todo.subject)}${
    link ? ` <a href="${link}">打开</a>` : ''
  }${todo.description ? `<br><span class="small">${escapeHtml(todo.description)}</span>` : ''}</li>`;
}

function renderNotice(notice: FakeNotice): string {
  const msg = typeof notice.msg === 'object' && notice.msg !== null ? (notice.msg as Record<string, unknown>) : {};
  const body = (typeof msg[String(msg.msgtype)] === 'object' ? msg[String(msg.msgtype)] : {}) as Record<string, unknown>;
  const title = body.title ?? msg.msgtype;
  const text = body.markdown ?? body.text ?? body.content ?? '';
  const links: Array<{ title: unknown; url: unknown }> = [];
  if (body.single_url) links.push({ title: body.single_title, url: body.single_url });
  if (Array.isArray(body.btn_json_list)) {
    for (const b of body.btn_json_list as Array<Record<string, unknown>>) links.push({ title: b.title, url: b.action_url });
  }
  const linkHtml = links
    .map((l) => {
      const href = safeHref(l.url);
      return href ? `<a href="${href}">${escapeHtml(l.title)}</a>` : escapeHtml(l.title);
    })
    .join(' · ');
  const dropped = notice.arrived ? '' : `<span class="badge dropped">未送达：${escapeHtml(DROP_REASONS[notice.dropReason ?? 'unknown_user'])}</span> `;
  return `<li class="${notice.arrived ? '' : 'dropped-notice'}">${dropped}<strong>${escapeHtml(title)}</strong> <span class="small">${escapeHtml(time(notice.sentAt))}</span>
<pre>${escapeHtml(text)}</pre>${linkHtml ? `<p>${linkHtml}</p>` : ''}</li>`;
}

const DROP_REASONS: Record<NonNullable<FakeNotice['dropReason']>, string> = {
  same_content_today: '当天同内容重复，已被丢弃',
  daily_limit: '超过每日上限',
  unknown_user: '用户不存在',
};

function renderUser(state: FakeDingTalkState, user: FakeUser): string {
  const cards = state.cardsOf(user.userid).reverse();
  const todos = state.todosOf(user.unionid).reverse();
  const notices = state.noticesOf(user.userid).reverse();
  const list = (items: string[], empty: string) => (items.length ? items.join('\n') : `<p class="empty">${empty}</p>`);
  return `<section class="user" id="u-${escapeHtml(user.userid)}">
<h2>${escapeHtml(user.name)} <small>${escapeHtml(user.userid)}</small></h2>
<h3>审批卡片（${cards.length}）</h3>
${list(
  cards.map((card) => renderCard(card, state.cardParamsForUser(card, user.userid), user.userid)),
  '暂无卡片',
)}
<h3>待办（${todos.filter((t) => !isTodoDoneFor(t, user.unionid)).length} 待处理 / ${todos.length}）</h3>
${todos.length ? `<ul class="todos">${todos.map((t) => renderTodo(t, user.unionid, user.userid)).join('\n')}</ul>` : '<p class="empty">暂无待办</p>'}
<h3>工作通知（${notices.length}）</h3>
${notices.length ? `<ul class="notices">${notices.map(renderNotice).join('\n')}</ul>` : '<p class="empty">暂无通知</p>'}
</section>`;
}

function renderClick(click: RecordedClick): string {
  const verdict = click.action === 'approve' ? '同意' : '拒绝';
  const outcome = click.error ? `失败：${click.error}` : `回调应答 ${click.status}`;
  return `<p class="flash ${click.error ? 'flash-error' : ''}">${escapeHtml(click.userId)} 点击了「${verdict}」（${escapeHtml(click.transport)}）：${escapeHtml(outcome)}，用时 ${click.durationMs} ms</p>`;
}

/** The sandbox page: per user, the cards (with working buttons), todos and work notices DingTalk would show them. */
export function renderStatePage(state: FakeDingTalkState, flashClick?: RecordedClick): string {
  const users = state.directory.users();
  const status = state.isDown() ? '<span class="badge dropped">已宕机（setDown）</span>' : '<span class="badge">正常</span>';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>钉钉沙箱</title>
<style>
body { font: 15px/1.5 -apple-system, "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; margin: 0; background: #f2f3f5; color: #1f2329; }
header, main { max-width: 720px; margin: 0 auto; padding: 12px; }
header h1 { font-size: 1.3em; margin: 0 0 4px; }
nav a { margin-right: 10px; }
.user { background: #fff; border-radius: 10px; padding: 12px; margin: 12px 0; }
.user h2 { font-size: 1.15em; margin: 0; } .user h2 small { color: #8f959e; font-weight: normal; }
h3 { font-size: 1em; margin: 14px 0 6px; color: #646a73; }
.card { border: 1px solid #dee0e3; border-radius: 8px; padding: 10px; margin: 8px 0; }
.card-head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.badge { display: inline-block; font-size: 0.8em; padding: 1px 8px; border-radius: 10px; background: #e8f3ff; color: #1456f0; white-space: nowrap; }
.status-approved { background: #e4f7e9; color: #1a7f37; } .status-rejected { background: #fde8e8; color: #c62828; }
.dropped { background: #fff1e6; color: #b35c00; }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.fields dt { color: #8f959e; } .fields dd { margin: 0; word-break: break-all; }
.meta, .small { color: #8f959e; font-size: 0.85em; margin: 4px 0; word-break: break-all; }
.notice { background: #fff7e6; padding: 4px 8px; border-radius: 6px; }
.actions { display: flex; gap: 10px; margin: 8px 0; }
.actions button { flex: 1; font-size: 1em; padding: 10px; border-radius: 6px; border: 1px solid #dee0e3; background: #fff; }
.actions .approve { background: #1456f0; color: #fff; border-color: #1456f0; }
ul { padding-left: 0; list-style: none; } li { padding: 6px 0; border-bottom: 1px solid #f0f1f2; }
li.done { color: #8f959e; } li.dropped-notice { opacity: 0.6; }
pre { white-space: pre-wrap; word-break: break-all; font: inherit; background: #f7f8fa; padding: 6px; border-radius: 6px; margin: 4px 0; }
.flash { background: #e8f3ff; padding: 8px; border-radius: 6px; } .flash-error { background: #fde8e8; }
.empty { color: #8f959e; }
</style>
</head>
<body>
<header>
<h1>钉钉沙箱 <small>(fake DingTalk)</small></h1>
<p class="small">${status} · 应用 ${escapeHtml([...state.apps.keys()].join(', '))} · Stream 连接 ${state.streamConnectionCount()} · 已收到 API 调用 ${state.calls.length} 次${
    state.latencyMs ? ` · 延迟 ${state.latencyMs} ms` : ''
  } · <a href="/_sandbox/state.json">state.json</a></p>
${flashClick ? renderClick(flashClick) : ''}
<nav>${users.map((u) => `<a href="#u-${escapeHtml(u.userid)}">${escapeHtml(u.name)}</a>`).join('')}</nav>
</header>
<main>
${users.length ? users.map((u) => renderUser(state, u)).join('\n') : '<p class="empty">组织里还没有用户</p>'}
</main>
</body>
</html>
`;
}
