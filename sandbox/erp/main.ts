import { startErpSandbox } from './erp-sandbox';
import { parseAppSecrets, parseInboundAuth, parsePort } from './sandbox-env';

/**
 * The ERP sandbox on its own: `node --import tsx sandbox/erp/main.ts`.
 * Env: ERP_SANDBOX_PORT (default 4100), ERP_SANDBOX_HOST (default 127.0.0.1),
 * ERP_SANDBOX_APPS (`key:secret,key2:secret2`, whose webhooks it accepts),
 * ERP_SANDBOX_INBOUND_AUTH (`none` | `bearer:TOKEN` | `hmac:APP_KEY:SECRET`, default none),
 * ERP_SANDBOX_BUDGET (default 1000000).
 */
async function main(): Promise<void> {
  const budget = process.env.ERP_SANDBOX_BUDGET ? Number(process.env.ERP_SANDBOX_BUDGET) : undefined;
  if (budget !== undefined && !(budget >= 0)) throw new Error(`ERP_SANDBOX_BUDGET: "${process.env.ERP_SANDBOX_BUDGET}" is not a non-negative number`);
  const webhookApps = parseAppSecrets(process.env.ERP_SANDBOX_APPS ?? '');
  const sandbox = await startErpSandbox({
    webhookApps,
    inboundAuth: parseInboundAuth(process.env.ERP_SANDBOX_INBOUND_AUTH ?? 'none'),
    ...(budget === undefined ? {} : { budget }),
    port: parsePort(process.env.ERP_SANDBOX_PORT, 4100),
    host: process.env.ERP_SANDBOX_HOST || '127.0.0.1',
  });
  const apps = Object.keys(webhookApps);
  console.log(
    `[erp-sandbox] listening on ${sandbox.url} (page ${sandbox.url}/, webhooks ${sandbox.url}/webhooks/approval; trusted apps: ${apps.join(', ') || 'none'})`,
  );
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('[erp-sandbox] failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
