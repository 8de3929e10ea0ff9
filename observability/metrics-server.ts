import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/client';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics-text';

export interface RunningMetricsServer {
  port: number;
  close(): Promise<void>;
}

/** `GET /metrics` of a process without the API (the standalone worker); anything else answers 404. */
export function serveMetrics(port: number, db: Db | undefined, host = '0.0.0.0'): Promise<RunningMetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    metricsText(db).then(
      (text) => response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
      (err: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
