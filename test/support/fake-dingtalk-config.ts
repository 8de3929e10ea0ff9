import type { DingTalkConfig } from '../../config';
import type { RunningFakeDingTalk } from '../../sandbox/dingtalk/fake-dingtalk';

/** A DingTalk app registered with the fake. */
export interface FakeDingTalkApp {
  appKey: string;
  appSecret: string;
  agentId: number;
  corpId: string;
}

/** The product's DingTalk settings pointed at the fake: both hosts, this app, this card template. */
export function fakeDingTalkConfig(fake: RunningFakeDingTalk, app: FakeDingTalkApp, cardTemplateId: string, mode: 'http' | 'stream' = 'http'): DingTalkConfig {
  return {
    apiBase: fake.url,
    oapiBase: fake.url,
    ...app,
    cardTemplateId,
    callbackMode: mode,
    callbackSecret: 'callback-secret-of-test',
    callbackRouteKey: 'approval-test',
    orgSyncCron: '0 2 * * *',
  };
}
