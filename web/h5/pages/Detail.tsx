import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure, get, instancePath, post } from '../../shared/api-client';
import { ActionSheet, ACTION_TEXT, type ActionKind } from '../components/ActionSheet';
import { RouteSteps } from '../components/RouteSteps';
import { TimelineList } from '../components/TimelineList';
import { instanceStatusText, valueText, when } from '../format';
import type { InstanceForm, InstanceRoute, InstanceView, Task, Timeline } from '../types';

interface Loaded {
  view: InstanceView;
  route: InstanceRoute;
  timeline: Timeline;
  form: InstanceForm;
}

async function loadAll(instanceId: string): Promise<Loaded> {
  const path = instancePath(instanceId);
  const [view, route, timeline, form] = await Promise.all([
    get<InstanceView>(path),
    get<InstanceRoute>(`${path}/route`),
    get<Timeline>(`${path}/timeline`),
    get<InstanceForm>(`${path}/form`),
  ]);
  return { view, route, timeline, form };
}

/** The viewer's task to act on: the one the link named if it is theirs and pending, else their first pending one. */
function actionableTask(view: InstanceView, me: string, taskId?: string): Task | undefined {
  const mine = view.tasks.filter((t) => t.assigneeId === me && t.status === 'pending');
  return mine.find((t) => t.taskId === taskId) ?? mine[0];
}

/** What the viewer may do here, as SPEC §5 lets them (the workflow still has the last word). */
function actionsFor(view: InstanceView, me: string, task: Task | undefined): { main: ActionKind[]; more: ActionKind[] } {
  if (view.status !== 'running') return { main: [], more: ['comment'] };
  const main: ActionKind[] = [];
  const more: ActionKind[] = [];
  if (task) {
    main.push('reject', 'approve');
    more.push('transfer', 'add_signer', 'return');
  } else if (view.tasks.some((t) => t.assigneeId === me && t.status === 'approved')) {
    more.push('revoke');
  }
  if (view.initiatorId === me) {
    if (view.returnedToInitiator) main.push('resubmit');
    else if (view.tasks.some((t) => t.status === 'pending')) more.push('urge');
    more.push('withdraw');
  }
  more.push('comment');
  return { main, more };
}

/** A task's or an instance's page: the form, the route, the timeline, and the viewer's actions. */
export function DetailPage({ instanceId, taskId, ccId, me }: { instanceId: string; taskId?: string; ccId?: string; me: string }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<{ notFound: boolean; message: string } | undefined>();
  const [acting, setActing] = useState<ActionKind | undefined>();
  const [toast, setToast] = useState<string | undefined>();
  const [moreOpen, setMoreOpen] = useState(false);

  const reload = useCallback(() => {
    loadAll(instanceId)
      .then((next) => {
        setLoaded(next);
        setError(undefined);
      })
      .catch((err: unknown) =>
        setError(err instanceof ApiFailure ? { notFound: err.status === 404, message: err.message } : { notFound: false, message: String(err) }),
      );
  }, [instanceId]);

  useEffect(reload, [reload]);
  useEffect(() => {
    if (ccId) void post(`/cc/${ccId}/read`).catch(() => undefined);
  }, [ccId]);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(undefined), 2500);
    return () => clearTimeout(timer);
  }, [toast]);

  if (error?.notFound)
    return (
      <main class="detail">
        <p class="empty" data-testid="not-found">
          审批不存在，或你无权查看
        </p>
      </main>
    );
  if (error) return <p class="error">{error.message}</p>;
  if (!loaded) return <p class="hint">加载中…</p>;

  const { view, route, timeline, form } = loaded;
  const people = route.people;
  const name = (id: string) => people[id] ?? id;
  const task = actionableTask(view, me, taskId);
  const { main, more } = actionsFor(view, me, task);
  const subject = task ?? ownApprovedTask(view, me);

  const done = (next: InstanceView, message: string) => {
    setActing(undefined);
    setMoreOpen(false);
    setToast(message);
    // The answer already holds the instance after the action; route and timeline follow.
    setLoaded({ ...loaded, view: next });
    reload();
  };

  return (
    <main class="detail" data-status={view.status}>
      <header class="detail-head">
        <h1>
          {view.flowName} · {view.businessKey}
        </h1>
        <span class={`badge instance-${view.status}`} data-testid="instance-status">
          {view.returnedToInitiator ? '已退回发起人' : instanceStatusText(view.status)}
        </span>
        <p class="meta">
          {name(view.initiatorId)} 发起于 {when(view.createdAt)}
        </p>
      </header>

      <section class="card">
        <dl class="fields">
          {form.fields.map((f) => (
            <div key={f.key}>
              <dt>{f.label}</dt>
              <dd data-field={f.key}>{valueText(f.key, f.value)}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section class="card">
        <h2>审批流程</h2>
        <RouteSteps nodes={route.nodes} view={view} people={people} />
      </section>

      <section class="card">
        <h2>审批动态</h2>
        <TimelineList events={timeline.events} view={view} people={people} />
      </section>

      {(main.length > 0 || more.length > 0) && (
        <footer class="action-bar">
          {more.length > 0 && (
            <div class="more-wrap">
              <button type="button" class="secondary" onClick={() => setMoreOpen(!moreOpen)} aria-expanded={moreOpen}>
                更多
              </button>
              {moreOpen && (
                <ul class="more-menu" role="menu">
                  {more.map((kind) => (
                    <li key={kind}>
                      <button type="button" role="menuitem" data-action={kind} onClick={() => setActing(kind)}>
                        {ACTION_TEXT[kind]}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {main.map((kind) => (
            <button type="button" key={kind} data-action={kind} class={kind === 'reject' ? 'secondary danger' : 'primary'} onClick={() => setActing(kind)}>
              {ACTION_TEXT[kind]}
            </button>
          ))}
        </footer>
      )}

      {acting && (
        <ActionSheet
          kind={acting}
          view={view}
          {...(subject ? { task: subject } : {})}
          route={route.nodes}
          form={form.fields}
          me={me}
          onDone={done}
          onClose={() => setActing(undefined)}
        />
      )}
      {toast && (
        <div class="toast" role="status">
          {toast}
        </div>
      )}
    </main>
  );
}

/** The viewer's approval a revoke takes back: their latest approved task. */
function ownApprovedTask(view: InstanceView, me: string): Task | undefined {
  return view.tasks.filter((t) => t.assigneeId === me && t.status === 'approved').at(-1);
}
