import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApi } from './app';
import type { ApiDependencies } from './context';

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the API over HTTP on `port` (0 picks a free one). */
export function startApiServer(deps: ApiDependencies, port: number, hostname = '0.0.0.0'): Promise<RunningApi> {
  const app = createApi(deps);
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        url: `http://localhost:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
