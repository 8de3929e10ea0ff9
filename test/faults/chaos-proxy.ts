import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fault-injecting HTTP proxy in front of a fake (ERP, webhook receiver, DingTalk): a share of
 * the requests answers 503 without reaching it, another share is forwarded after a delay. The
 * product talks to the proxy's URL exactly as it would to the real service.
 */
export interface ChaosSettings {
  /** Share of requests answered 503 before they reach the service (0–1). */
  failRate: number;
  /** Share of requests forwarded only after `slowMs` (0–1). */
  slowRate: number;
  slowMs: number;
}

export interface ChaosCounts {
  requests: number;
  failed: number;
  slowed: number;
}

export interface ChaosProxy {
  url: string;
  settings: ChaosSettings;
  counts: ChaosCounts;
  close(): Promise<void>;
}

export const CALM: ChaosSettings = { failRate: 0, slowRate: 0, slowMs: 0 };

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function startChaosProxy(target: string, random: () => number = Math.random): Promise<ChaosProxy> {
  const settings: ChaosSettings = { ...CALM };
  const counts: ChaosCounts = { requests: 0, failed: 0, slowed: 0 };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    counts.requests += 1;
    const body = await readBody(request);
    const roll = random();
    if (roll < settings.failRate) {
      counts.failed += 1;
      response
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 'ServiceUnavailable', message: 'injected by the chaos proxy' }));
      return;
    }
    if (roll < settings.failRate + settings.slowRate) {
      counts.slowed += 1;
      await new Promise((resolve) => setTimeout(resolve, settings.slowMs));
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = request.method ?? 'GET';
    const answer = await fetch(`${target}${request.url ?? '/'}`, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) out[name] = value;
    });
    response.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((err: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' }).end(`chaos proxy: ${String(err)}`);
      else response.destroy();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        settings,
        counts,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
