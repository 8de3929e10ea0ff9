import { randomUUID } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { dingTalkOrgSyncWorkflow } from '../workflows/dingtalk-org-sync';

/** The workflow type (workflows/dingtalk-org-sync.ts), named here so the client side loads no workflow code. */
export const DINGTALK_ORG_SYNC_WORKFLOW_TYPE = 'dingTalkOrgSyncWorkflow';

export const DINGTALK_ORG_SYNC_SCHEDULE_ID = 'dingtalk-org-sync';

/** The workflow id of a sync started on request: one at a time, a second request meets the running one. */
export const MANUAL_ORG_SYNC_WORKFLOW_ID = 'dingtalk-org-sync:manual';

/**
 * A sync reads the whole org, a few hundred activities for a large one (minutes). An hour bounds a
 * sync stuck on DingTalk, so the next run (scheduled or requested) is not blocked for long.
 */
const SYNC_EXECUTION_TIMEOUT = '1h';

type OrgSyncAction = ScheduleOptionsStartWorkflowAction<typeof dingTalkOrgSyncWorkflow>;

export interface OrgSyncScheduleOptions {
  /** When to sync, Temporal's cron syntax (`DINGTALK_ORG_SYNC_CRON`); a `CRON_TZ=Asia/Shanghai ` prefix sets its time zone. */
  cron: string;
  taskQueue: string;
  scheduleId?: string;
}

/**
 * Creates the org sync Schedule (SPEC §8), or brings an existing one in line with `options` — so
 * each process start may call it. A sync still running when the next is due makes that one skip.
 */
export async function ensureDingTalkOrgSyncSchedule(client: Client, options: OrgSyncScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = options.scheduleId ?? DINGTALK_ORG_SYNC_SCHEDULE_ID;
  const action: OrgSyncAction = {
    type: 'startWorkflow',
    workflowType: DINGTALK_ORG_SYNC_WORKFLOW_TYPE,
    // Temporal appends the scheduled time: each run has its own id.
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    workflowExecutionTimeout: SYNC_EXECUTION_TIMEOUT,
    staticSummary: 'DingTalk org sync (scheduled)',
  };
  const spec = { cronExpressions: [options.cron] };
  // A missed run (Temporal down at the hour) is still worth taking within the hour; later, the next one will do.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update<typeof dingTalkOrgSyncWorkflow>((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}

export interface OrgSyncStarted {
  workflowId: string;
  runId: string;
  /** A sync requested before was still running: this is that one. */
  alreadyRunning: boolean;
}

/**
 * Starts a sync now (`POST /api/v1/sync/dingtalk`). While one started this way runs, a second
 * request answers that one (conflict policy USE_EXISTING) instead of failing or starting another.
 * Which of the two happened: the run carries the id of the request that started it in its memo.
 */
export async function startDingTalkOrgSyncNow(client: Client, taskQueue: string): Promise<OrgSyncStarted> {
  const requestId = randomUUID();
  const handle = await client.workflow.start<typeof dingTalkOrgSyncWorkflow>(DINGTALK_ORG_SYNC_WORKFLOW_TYPE, {
    workflowId: MANUAL_ORG_SYNC_WORKFLOW_ID,
    taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowExecutionTimeout: SYNC_EXECUTION_TIMEOUT,
    memo: { requestId },
    staticSummary: 'DingTalk org sync (requested)',
  });
  const runId = handle.firstExecutionRunId;
  const { memo } = await client.workflow.getHandle(MANUAL_ORG_SYNC_WORKFLOW_ID, runId).describe();
  return { workflowId: MANUAL_ORG_SYNC_WORKFLOW_ID, runId, alreadyRunning: memo?.requestId !== requestId };
}
