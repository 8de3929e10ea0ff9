import { instanceHref, taskHref } from '../router';
import { usePagedList } from '../components/paged';
import { instanceStatusText, taskStatusText, when } from '../format';
import type { CcItem, InstanceSummary, TodoItem } from '../types';

function ListFrame<T>({ list, empty, render }: { list: ReturnType<typeof usePagedList<T>>; empty: string; render: (item: T) => preact.JSX.Element }) {
  return (
    <div class="list">
      {list.error && <p class="error">{list.error}</p>}
      {list.items.map(render)}
      {!list.loading && !list.error && list.items.length === 0 && <p class="empty">{empty}</p>}
      {list.loading && <p class="hint">加载中…</p>}
      {list.hasMore && !list.loading && (
        <button type="button" class="more" onClick={() => void list.loadMore()}>
          加载更多
        </button>
      )}
    </div>
  );
}

/** 待办 (pending) and 已办 (closed): the session user's own tasks, newest first. */
export function TaskList({ status }: { status: 'pending' | 'closed' }) {
  const list = usePagedList<TodoItem>(`/tasks?status=${status}`);
  return (
    <ListFrame
      list={list}
      empty={status === 'pending' ? '没有待办，休息一下' : '还没有处理过的审批'}
      render={(t) => (
        <a class="item" href={taskHref(t.instanceId, t.taskId)} key={`${t.instanceId}/${t.taskId}`} data-task={t.taskId}>
          <div class="item-title">{t.title}</div>
          <div class="item-meta">
            <span>{t.nodeName ?? t.nodeId}</span>
            {t.delegatedFrom && <span class="tag">委托</span>}
            <span class={`badge task-${t.status}`}>{taskStatusText(t.status)}</span>
          </div>
          <div class="item-time">{when(t.completedAt ?? t.createdAt)}</div>
        </a>
      )}
    />
  );
}

/** 我发起的: the instances the session user started. */
export function MineList({ userId }: { userId: string }) {
  const list = usePagedList<InstanceSummary>(`/instances?initiatorId=${encodeURIComponent(userId)}`);
  return (
    <ListFrame
      list={list}
      empty="还没有发起过审批"
      render={(i) => (
        <a class="item" href={instanceHref(i.instanceId)} key={i.instanceId} data-instance={i.instanceId}>
          <div class="item-title">
            {i.flowName} · {i.businessKey}
          </div>
          <div class="item-meta">
            <span class={`badge instance-${i.status}`}>{instanceStatusText(i.status)}</span>
          </div>
          <div class="item-time">{when(i.createdAt)}</div>
        </a>
      )}
    />
  );
}

/** 抄送我的: cc notices, unread ones marked. */
export function CcList() {
  const list = usePagedList<CcItem>('/cc');
  return (
    <ListFrame
      list={list}
      empty="没有抄送给你的审批"
      render={(c) => (
        <a class={`item${c.readAt ? '' : ' unread'}`} href={instanceHref(c.instanceId, c.ccId)} key={c.ccId} data-cc={c.ccId}>
          <div class="item-title">
            {!c.readAt && <span class="dot" aria-label="未读" />}
            {c.title}
          </div>
          <div class="item-meta">{c.status && <span class={`badge instance-${c.status}`}>{instanceStatusText(c.status)}</span>}</div>
          <div class="item-time">{when(c.createdAt)}</div>
        </a>
      )}
    />
  );
}
