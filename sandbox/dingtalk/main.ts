import { demoOrg } from './demo-org';
import { startFakeDingTalk } from './fake-dingtalk';

function portOf(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`DINGTALK_SANDBOX_PORT: "${value}" is not a port`);
  return port;
}

function agentIdOf(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 100001;
  const agentId = Number(value);
  if (!Number.isInteger(agentId) || agentId <= 0) throw new Error(`DINGTALK_AGENT_ID: "${value}" is not a positive integer`);
  return agentId;
}

/**
 * The fake DingTalk on its own: `node --import tsx sandbox/dingtalk/main.ts`, with the demo org.
 * Env: DINGTALK_SANDBOX_PORT (default 4200), DINGTALK_SANDBOX_HOST (default 127.0.0.1), and the
 * app it knows, as the product's own settings name it: DINGTALK_APP_KEY, DINGTALK_APP_SECRET,
 * DINGTALK_AGENT_ID, DINGTALK_CORP_ID, DINGTALK_CARD_TEMPLATE_ID (demo values by default).
 * Point DINGTALK_API_BASE and DINGTALK_OAPI_BASE at the URL it prints.
 */
async function main(): Promise<void> {
  const env = process.env;
  const app = {
    appKey: env.DINGTALK_APP_KEY || 'ding-sandbox-app',
    appSecret: env.DINGTALK_APP_SECRET || 'ding-sandbox-secret',
    agentId: agentIdOf(env.DINGTALK_AGENT_ID),
    corpId: env.DINGTALK_CORP_ID || 'ding-sandbox-corp',
  };
  const templateId = env.DINGTALK_CARD_TEMPLATE_ID || 'approval_card.schema';
  const fake = await startFakeDingTalk({
    port: portOf(env.DINGTALK_SANDBOX_PORT, 4200),
    host: env.DINGTALK_SANDBOX_HOST || '127.0.0.1',
    apps: [app],
    cardTemplateIds: [templateId],
    org: demoOrg(),
  });
  const secretSource = env.DINGTALK_APP_SECRET ? 'DINGTALK_APP_SECRET' : 'the demo default';
  console.log(
    `[dingtalk-sandbox] listening on ${fake.url} (page ${fake.url}/, Stream ${fake.url.replace(/^http/, 'ws')}/connect); ` +
      `app ${app.appKey} (agent ${app.agentId}, corp ${app.corpId}, secret from ${secretSource}), card template ${templateId}`,
  );
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('[dingtalk-sandbox] failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
