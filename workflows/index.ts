export { approvalWorkflow } from './approval';
export { dingTalkOrgSyncWorkflow } from './dingtalk-org-sync';
