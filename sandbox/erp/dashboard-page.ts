import type { RecordedOperation, SandboxSnapshot } from './sandbox-state';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** A table whose cells are escaped here; `empty` is shown when there are no rows. */
function table(headers: string[], rows: unknown[][], empty: string): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.length
    ? rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n')
    : `<tr><td colspan="${headers.length}" class="empty">${escapeHtml(empty)}</td></tr>`;
  return `<table>${head}\n${body}</table>`;
}

function section(title: string, content: string): string {
  return `<section><h2>${escapeHtml(title)}</h2>${content}</section>`;
}

/** The sandbox's status page: what it received, what it holds, which failure modes are on. */
export function renderDashboard(snapshot: SandboxSnapshot): string {
  const { events, rejected, operations, budget, failures } = snapshot;
  const eventRows = [...events].reverse().map((e) => {
    const task = e.body.task ? `${e.body.task.taskId} → ${e.body.task.assigneeId} (${e.body.task.status})` : '';
    return [e.receivedAt, e.eventId, e.type, e.body.instance.instanceId, e.body.instance.status, task, e.deliveries];
  });
  const rejectedRows = [...rejected].reverse().map((r) => [r.at, `${r.method} ${r.path}`, r.code, r.reason]);
  const latestFirst = [...operations].reverse();
  const answer = (o: RecordedOperation) => `${o.response.status} ${JSON.stringify(o.response.body)}`;
  const budgetRows = latestFirst
    .filter((o) => o.operation !== 'write_back')
    .map((o) => [o.appliedAt, o.operation, o.idempotencyKey, o.body, answer(o), o.requests]);
  const writeBacks = latestFirst.filter((o) => o.operation === 'write_back');
  const writeBackRows = writeBacks.map((o) => [o.appliedAt, o.document?.type, o.document?.id, `${o.method} ${o.path}`, o.idempotencyKey, o.body, o.requests]);
  const reservationRows = [...budget.reservations]
    .reverse()
    .map((r) => [r.reservationId, r.businessKey, r.amount, r.instanceId, r.status, r.reservedAt, r.releasedAt]);
  const failureRows = Object.entries(failures).map(([target, s]) => [
    target,
    s.mode,
    s.remaining ?? (s.mode === 'ok' ? '' : 'until switched off'),
    s.mode === 'slow' ? s.delayMs : '',
    s.failedRequests,
    s.delayedRequests,
  ]);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>ERP 沙箱 · ERP sandbox</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; word-break: break-all; }
th { background: #f3f3f3; } td.empty { color: #888; }
.budget { font-size: 1.1em; }
</style>
</head>
<body>
<h1>ERP 沙箱 · ERP sandbox</h1>
<p class="budget">剩余预算 Remaining budget: <strong>${escapeHtml(String(budget.remaining))}</strong> / ${escapeHtml(String(budget.total))}</p>
${section('故障模式 Failure modes', table(['target', 'mode', 'remaining', 'delayMs', 'failed', 'delayed'], failureRows, ''))}
${section(`收到的回调 Webhook events (${events.length})`, table(['received', 'eventId', 'type', 'instance', 'status', 'task → assignee', 'deliveries'], eventRows, '暂无 none yet'))}
${section(`拒绝的请求 Rejected requests (${rejected.length})`, table(['at', 'request', 'code', 'reason'], rejectedRows, '暂无 none yet'))}
${section(`预算操作 Budget operations (${budgetRows.length})`, table(['applied', 'operation', 'Idempotency-Key', 'body', 'response', 'requests'], budgetRows, '暂无 none yet'))}
${section(`预算占用 Budget reservations (${budget.reservations.length})`, table(['reservationId', 'businessKey', 'amount', 'instanceId', 'status', 'reserved', 'released'], reservationRows, '暂无 none yet'))}
${section(`审批结果回写 Write-backs (${writeBacks.length})`, table(['applied', 'document type', 'document id', 'request', 'Idempotency-Key', 'body', 'requests'], writeBackRows, '暂无 none yet'))}
</body>
</html>
`;
}
