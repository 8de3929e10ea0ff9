import { eventText, taskStatusText, when } from '../format';
import type { InstanceView, TimelineEvent } from '../types';

/** The events people care about; the engine's bookkeeping (node entered, branches) stays in the API's timeline. */
const SHOWN = new Set([
  'instance_started',
  'approved',
  'rejected',
  'task_completed',
  'transferred',
  'signers_added',
  'signers_removed',
  'returned',
  'resubmitted',
  'revoked',
  'withdrawn',
  'comment',
  'urged',
  'timed_out',
  'escalated',
  'cc_sent',
  'handed_over',
  'terminated',
  'reassigned',
  'instance_completed',
  'service_failed',
  'compensation_failed',
]);

function detail(event: TimelineEvent, name: (id: string) => string): string {
  const data = event.data as Record<string, unknown>;
  if (event.type === 'task_completed' && typeof data.status === 'string') return taskStatusText(data.status);
  if (event.type === 'transferred' && typeof data.toUserId === 'string') return `给 ${name(data.toUserId)}`;
  if (event.type === 'signers_added' && Array.isArray(data.signers)) return (data.signers as string[]).map(name).join('、');
  if (event.type === 'reassigned' && typeof data.toUserId === 'string')
    return `给 ${name(data.toUserId)}${typeof data.reason === 'string' ? `：${data.reason}` : ''}`;
  if (event.type === 'terminated' && typeof data.reason === 'string') return data.reason;
  if (event.type === 'cc_sent' && Array.isArray(data.recipients)) return (data.recipients as string[]).map(name).join('、');
  return '';
}

/** 审批动态: who did what, when, with their comment. */
export function TimelineList({ events, view, people }: { events: TimelineEvent[]; view: InstanceView; people: Record<string, string> }) {
  const name = (id: string) => people[id] ?? id;
  const assignee = new Map(view.tasks.map((t) => [t.taskId, t.assigneeId]));
  // A person's approve or reject has its own event; task_completed is shown only for what no person did.
  const shown = events.filter((e) => SHOWN.has(e.type) && (e.type !== 'task_completed' || (e.data as { status?: string }).status === 'auto_approved'));
  return (
    <ol class="timeline">
      {shown.map((e) => {
        const actor = e.actorId ?? (e.taskId ? assignee.get(e.taskId) : undefined);
        const comment = (e.data as { comment?: unknown }).comment;
        return (
          <li key={e.seq} data-event={e.type}>
            <div>
              <strong>{actor ? name(actor) : '系统'}</strong> {eventText(e.type)} {detail(e, name)}
            </div>
            {typeof comment === 'string' && <q>{comment}</q>}
            <time>{when(e.at)}</time>
          </li>
        );
      })}
    </ol>
  );
}
