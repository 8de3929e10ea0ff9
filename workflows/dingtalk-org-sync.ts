import { ApplicationFailure, getExternalWorkflowHandle, log, proxyActivities, setCurrentDetails, type RetryPolicy } from '@temporalio/workflow';
import type { ApprovalActivities } from '../activities';
import { retryPolicies } from '../temporal-config';
import { collectDingTalkOrg, describeWalk, orgRecordsOf, type DingTalkOrgReader } from './dingtalk-org-plan';
import { assigneesDepartedSignal } from './messages';

/** What one sync did (the workflow's result, shown in the Web UI). */
export interface DingTalkOrgSyncResult {
  departments: number;
  users: number;
  /** Users this sync deactivated (DingTalk no longer lists them). */
  deactivated: number;
  /** DingTalk users bound by this sync to an existing user of another id (by mobile or email). */
  bound: number;
  /** Instances told that assignees of theirs left (their open tasks go where the node's `onEmpty` points). */
  handedOver: number;
}

/**
 * DingTalk down or throttling: the client already retried each call (up to 3 times, backing off
 * 1/2/4 s); the activity is then tried again for about 10 minutes (1 s doubling to 2 min, 10
 * attempts) before the sync fails — the next scheduled one starts over. Final kinds (`parameter`,
 * `permission`, `quota`) are non-retryable failures and fail the sync at once.
 */
const DINGTALK_RETRY: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 10 };

/** A department is two calls (`department/get`, `department/listsub`) made at once: a second, 20 s even when DingTalk is slow. */
const { readDingTalkDepartment } = proxyActivities<ApprovalActivities>({ startToCloseTimeout: '20s', retry: DINGTALK_RETRY });

/**
 * A page is one `user/list` call and up to 100 `user/get` calls, 5 at a time under the client's 20
 * calls per second: about 5 s, up to a minute or so when DingTalk throttles. It heartbeats after each
 * user, so a worker that dies mid-page costs 15 s, not the 2 min start-to-close.
 */
const { readDingTalkUserPage } = proxyActivities<ApprovalActivities>({ startToCloseTimeout: '2m', heartbeatTimeout: '15s', retry: DINGTALK_RETRY });

/** Two full-sync transactions over the whole org (10,000 users: a few seconds); Postgres hiccups are retried, a bad org is not. */
const { applyDingTalkOrg } = proxyActivities<ApprovalActivities>({ startToCloseTimeout: '1m', retry: { ...retryPolicies.database, maximumAttempts: 10 } });

/** One indexed query. */
const { listOpenTasksOfInactiveUsers } = proxyActivities<ApprovalActivities>({ startToCloseTimeout: '10s', retry: retryPolicies.database });

/** Instances signalled at once when handing over. */
const SIGNAL_BATCH = 20;

const reader: DingTalkOrgReader = {
  department: (deptId) => readDingTalkDepartment.executeWithOptions({ summary: `department ${deptId}: details and children` }, [deptId]),
  userPage: (deptId, cursor) => readDingTalkUserPage.executeWithOptions({ summary: `department ${deptId}: users from cursor ${cursor}` }, [{ deptId, cursor }]),
};

/** Temporal answers a signal to a workflow that has closed (or never was) so; nothing is left to hand over there. */
function isNotFound(err: unknown): boolean {
  return err instanceof ApplicationFailure && (/NotFound/i.test(err.type ?? '') || /not found/i.test(err.message));
}

/**
 * The DingTalk org sync (SPEC §8), run by a Schedule and on request: reads DingTalk's departments
 * breadth-first from the root and each department's users page by page, works out everyone's
 * manager, writes departments and users as a full sync (binding DingTalk users to existing users),
 * then, as the ERP's full push does, tells every instance whose open tasks are held by users no
 * longer active so that those tasks go where their node's `onEmpty` points.
 */
export async function dingTalkOrgSyncWorkflow(): Promise<DingTalkOrgSyncResult> {
  const collected = await collectDingTalkOrg(reader, { onProgress: (p) => setCurrentDetails(describeWalk(p)) });
  if (collected.users.length === 0) {
    // A token without the contacts permission can see an empty org: a full sync would deactivate everyone.
    throw ApplicationFailure.create({ message: 'DingTalk listed no users: nothing was written', type: 'DingTalk.emptyOrg', nonRetryable: true });
  }

  const records = orgRecordsOf(collected);
  setCurrentDetails(`**Writing the org**\n- ${records.departments.length} departments, ${records.users.length} users`);
  const applied = await applyDingTalkOrg.executeWithOptions(
    { summary: `write ${records.departments.length} departments and ${records.users.length} users (full)` },
    [records],
  );

  const departed = await listOpenTasksOfInactiveUsers.executeWithOptions({ summary: 'open tasks of users no longer active' }, []);
  let handedOver = 0;
  for (let i = 0; i < departed.length; i += SIGNAL_BATCH) {
    setCurrentDetails(`**Handing over the tasks of users who left**\n- ${i} of ${departed.length} instances told`);
    await Promise.all(
      departed.slice(i, i + SIGNAL_BATCH).map(async ({ instanceId, userIds }) => {
        try {
          await getExternalWorkflowHandle(instanceId).signal(assigneesDepartedSignal, { userIds });
          handedOver++;
        } catch (err) {
          if (isNotFound(err)) return; // closed meanwhile: nothing left to hand over
          // The next sync looks at every inactive user again and tells this instance then.
          log.warn('could not hand over the tasks of departed users', { instanceId, userIds, error: String(err) });
        }
      }),
    );
  }

  const result: DingTalkOrgSyncResult = {
    departments: applied.departments,
    users: applied.users,
    deactivated: applied.deactivated,
    bound: applied.bound,
    handedOver,
  };
  setCurrentDetails(
    [
      '**Done**',
      `- departments: ${applied.departments} (${applied.departmentsDeactivated} deactivated)`,
      `- users: ${applied.users} (${applied.deactivated} deactivated, ${applied.bound} newly bound)`,
      `- instances handed over: ${handedOver}`,
    ].join('\n'),
  );
  return result;
}
