import type { Db } from '../db/client';
import type { SecretBox } from '../db/secret-box';
import type { DingTalkApi } from '../integrations/dingtalk/dingtalk-api';
import { createApproverChannelActivities, type CardSettings } from './dingtalk/approver-channel';
import { createDingTalkOrgActivities } from './dingtalk-org/dingtalk-org-activities';
import { createErpActivities } from './erp/erp-activities';
import { createNotifyActivities } from './notify/notify';
import { createOrgActivities } from './org/org-activities';
import { createProjectionActivities } from './projection/project-instance';
import { createWebhookActivities } from './webhooks/webhook-activities';

export interface ActivityDependencies {
  db: Db;
  /** Opens the ERP credentials and app secrets (webhook signatures). */
  secretBox: SecretBox;
  /** DingTalk, when configured (the real one or the sandbox); without it the channel activities do nothing. */
  dingtalk?: DingTalkApi;
  cardSettings?: CardSettings;
}

/** Every activity the approval worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createOrgActivities(deps.db),
    ...createNotifyActivities(deps.db),
    ...createProjectionActivities(deps.db),
    ...createErpActivities(deps.db, deps.secretBox),
    ...createWebhookActivities(deps.db, deps.secretBox),
    ...createApproverChannelActivities(deps.db, deps.dingtalk, deps.cardSettings),
    ...createDingTalkOrgActivities(deps.db, deps.dingtalk),
  };
}

export type ApprovalActivities = ReturnType<typeof createActivities>;
