import { createSignedClient } from '../client/signed-client';
import { loadConfig } from '../config';
import { DEMO_APP_KEY } from '../db/seed-demo';
import type { DriftReport } from '../ops/drift-check';

/**
 * `npm run drift-check`: asks a running API (`API_URL`, default the local `npm start`) to compare
 * the projection with the workflows, prints every difference, and exits 1 if there is any.
 * Signs as `APP_KEY` / `APP_SECRET` (an app with the `admin` permission; default the demo app).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const api = createSignedClient({
    baseUrl: process.env.API_URL ?? `http://localhost:${config.port}`,
    appKey: process.env.APP_KEY ?? DEMO_APP_KEY,
    secret: process.env.APP_SECRET ?? config.demoErpSecret,
  });
  const response = await api.request<DriftReport>('GET', '/api/v1/admin/drift');
  if (response.status !== 200) {
    console.error(`drift check failed: ${response.status} ${JSON.stringify(response.body)}`);
    process.exit(2);
  }
  const report = response.body;
  console.log(`${report.instancesChecked} open instance(s) checked at ${report.checkedAt}: ${report.differences.length} difference(s)`);
  for (const d of report.differences) console.log(JSON.stringify(d));
  process.exit(report.differences.length > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
