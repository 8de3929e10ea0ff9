import { dingTalkConfigFromEnv, DEFAULT_ORG_SYNC_CRON } from '.';

const complete = {
  DINGTALK_APP_KEY: 'key',
  DINGTALK_APP_SECRET: 'secret',
  DINGTALK_AGENT_ID: '123',
  DINGTALK_CORP_ID: 'ding1',
  DINGTALK_CARD_TEMPLATE_ID: 'tpl',
  DINGTALK_CALLBACK_SECRET: 'cb',
};

describe('DingTalk settings from the environment', () => {
  it('none without an app key: the sandbox plays DingTalk', () => {
    expect(dingTalkConfigFromEnv({})).toBeUndefined();
  });

  it('the real hosts, HTTP callbacks and a nightly org sync by default', () => {
    expect(dingTalkConfigFromEnv(complete)).toMatchObject({
      apiBase: 'https://api.dingtalk.com',
      oapiBase: 'https://oapi.dingtalk.com',
      agentId: 123,
      callbackMode: 'http',
      orgSyncCron: DEFAULT_ORG_SYNC_CRON,
    });
  });

  it('base URLs are configurable, without a trailing slash', () => {
    const config = dingTalkConfigFromEnv({ ...complete, DINGTALK_API_BASE: 'http://fake:1/', DINGTALK_OAPI_BASE: 'http://fake:2//' });
    expect([config?.apiBase, config?.oapiBase]).toEqual(['http://fake:1', 'http://fake:2']);
  });

  it('names what is missing or wrong', () => {
    expect(() => dingTalkConfigFromEnv({ DINGTALK_APP_KEY: 'k' })).toThrow(
      /DINGTALK_APP_SECRET, DINGTALK_AGENT_ID, DINGTALK_CORP_ID, DINGTALK_CARD_TEMPLATE_ID are missing/,
    );
    expect(() => dingTalkConfigFromEnv({ ...complete, DINGTALK_AGENT_ID: 'abc' })).toThrow(/DINGTALK_AGENT_ID/);
    expect(() => dingTalkConfigFromEnv({ ...complete, DINGTALK_CALLBACK_MODE: 'ws' })).toThrow(/http or stream/);
    expect(() => dingTalkConfigFromEnv({ ...complete, DINGTALK_CALLBACK_SECRET: '' })).toThrow(/DINGTALK_CALLBACK_SECRET/);
    expect(dingTalkConfigFromEnv({ ...complete, DINGTALK_CALLBACK_SECRET: '', DINGTALK_CALLBACK_MODE: 'stream' })?.callbackMode).toBe('stream');
  });
});
