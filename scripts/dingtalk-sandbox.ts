import { randomBytes } from 'node:crypto';
import { DEFAULT_ORG_SYNC_CRON, type AppConfig, type DingTalkCallbackMode, type DingTalkConfig } from '../config';
import { demoOrg } from '../sandbox/dingtalk/demo-org';
import { startFakeDingTalk, type RunningFakeDingTalk } from '../sandbox/dingtalk/fake-dingtalk';

const SANDBOX_APP = { appKey: 'ding-sandbox-app', agentId: 100001, corpId: 'ding-sandbox-corp' };
export const SANDBOX_CARD_TEMPLATE = 'approval_card.schema';

/**
 * `npm start` without a DingTalk configured: the fake DingTalk plays it, with the demo org, and
 * the product talks to it exactly as to the real one (DINGTALK_CALLBACK_MODE picks the transport).
 * Its app secret and callback secret are new at each start, unless DINGTALK_SANDBOX_APP_SECRET /
 * DINGTALK_SANDBOX_CALLBACK_SECRET set them (a test that must know them).
 */
export async function startDingTalkSandbox(
  config: AppConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ sandbox: RunningFakeDingTalk; dingtalk: DingTalkConfig }> {
  const appSecret = env.DINGTALK_SANDBOX_APP_SECRET || randomBytes(16).toString('hex');
  const sandbox = await startFakeDingTalk({
    port: config.dingtalkSandboxPort,
    host: '127.0.0.1',
    apps: [{ ...SANDBOX_APP, appSecret }],
    cardTemplateIds: [SANDBOX_CARD_TEMPLATE],
    org: demoOrg(),
  });
  const mode = (env.DINGTALK_CALLBACK_MODE || 'http') as DingTalkCallbackMode;
  if (mode !== 'http' && mode !== 'stream') throw new Error(`DINGTALK_CALLBACK_MODE must be http or stream, got "${String(mode)}"`);
  return {
    sandbox,
    dingtalk: {
      apiBase: sandbox.url,
      oapiBase: sandbox.url,
      appKey: SANDBOX_APP.appKey,
      appSecret,
      agentId: SANDBOX_APP.agentId,
      corpId: SANDBOX_APP.corpId,
      cardTemplateId: SANDBOX_CARD_TEMPLATE,
      callbackMode: mode,
      callbackSecret: env.DINGTALK_SANDBOX_CALLBACK_SECRET || randomBytes(16).toString('hex'),
      callbackRouteKey: 'approval-orchestrator',
      orgSyncCron: env.DINGTALK_ORG_SYNC_CRON || DEFAULT_ORG_SYNC_CRON,
    },
  };
}
