import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from './app';
import type { ApiDependencies } from './context';

export interface RunningApi {
  url: string;
  port: number;
  /**
   * Stops taking connections and lets the requests already accepted finish (their updates run on
   * the worker, which is still up), closing each keep-alive connection as it goes idle; what is
   * still open after `graceMs` is cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** Drains `server`: see RunningApi.close. */
function drain(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((done) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(deadline);
      done();
    });
    server.closeIdleConnections();
  });
}

/** Serves the API over HTTP on `port` (0 picks a free one). */
export function startApiServer(deps: ApiDependencies, port: number, hostname = '0.0.0.0'): Promise<RunningApi> {
  const app = createApi(deps);
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        url: `http://localhost:${info.port}`,
        close: (graceMs = 30_000) => drain(server as Server, graceMs),
      });
    });
    server.once('error', reject);
  });
}
