import { createSignedClient } from '../client/signed-client';
import { loadConfig } from '../config';
import { DEMO_APP_KEY } from '../db/seed-demo';

/**
 * `npm run api -- <METHOD> <path> [json-body]`: one signed request to the API (`API_URL`, default the
 * local `npm start`), its status and JSON answer printed; exits 1 on a 4xx or 5xx. Signs as `APP_KEY`
 * / `APP_SECRET` (default the demo app, which holds every permission). What the runbook's recipes use.
 *
 *   npm run api -- GET '/api/v1/instances/approval:purchase_request:PR-1'
 *   npm run api -- POST '/api/v1/instances/approval:purchase_request:PR-1/terminate' '{"requestId":"ops-1","reason":"重复提交"}'
 */
async function main(): Promise<void> {
  const [method, target, body] = process.argv.slice(2);
  if (!method || !target?.startsWith('/')) throw new Error("usage: npm run api -- <METHOD> </path> ['<json body>']");
  const config = loadConfig();
  const api = createSignedClient({
    baseUrl: process.env.API_URL ?? `http://localhost:${config.port}`,
    appKey: process.env.APP_KEY ?? DEMO_APP_KEY,
    secret: process.env.APP_SECRET ?? config.demoErpSecret,
  });
  const parsed: unknown = body === undefined ? undefined : JSON.parse(body);
  const answer = await api.request(method.toUpperCase(), encodeURI(target), parsed);
  console.log(`${answer.status}`);
  console.log(JSON.stringify(answer.body, null, 2));
  if (answer.status >= 400) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`[api] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
