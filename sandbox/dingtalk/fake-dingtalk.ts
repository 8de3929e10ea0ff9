import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CallPipeline } from './call-pipeline';
import { registerCardRoutes } from './card-routes';
import { FakeDingTalkState, type FakeDingTalkApp } from './fake-dingtalk-state';
import type { FakeOrg } from './fake-org';
import { registerGatewayRoutes, STREAM_CONNECT_PATH } from './gateway-routes';
import { registerLoginRoutes } from './login-routes';
import { registerNoticeRoutes } from './notice-routes';
import { registerOrgRoutes } from './org-routes';
import { registerSandboxRoutes } from './sandbox-routes';
import { registerTodoRoutes } from './todo-routes';
import { registerTokenRoutes } from './token-routes';

export type { FakeCard } from './fake-card';
export type { ClickInput, ClickOptions, ClickResult, FakeDingTalkApp, FakeDingTalkState, RecordedCall, RecordedClick } from './fake-dingtalk-state';
export type { FakeDepartment, FakeOrg, FakeUser } from './fake-org';
export type { FakeFailure } from './failure-switches';
export type { FakeNotice } from './notice-book';
export type { FakeTodo } from './todo-book';

export interface FakeDingTalkOptions {
  /** 0 (the default): a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  apps: FakeDingTalkApp[];
  cardTemplateIds: string[];
  org?: FakeOrg;
  /** Default 7200. */
  tokenTtlSeconds?: number;
  /** An unacked Stream frame is delivered again after this long; default 60 000 (DingTalk: about a minute). */
  streamRedeliverMs?: number;
  /** SYSTEM ping frames go out this often; default 10 000. */
  streamPingMs?: number;
  /** 免登 codes expire after this long; default 300. */
  authCodeTtlSeconds?: number;
  /** How long a click waits for the callback's answer; default 10 000 (DingTalk gives 2 s: later answers are marked `late`). */
  clickTimeoutMs?: number;
  /** The clock of tokens, codes, notice days and records; default Date.now. */
  now?: () => number;
}

export interface RunningFakeDingTalk {
  /** e.g. `http://127.0.0.1:4200`, no trailing slash: both DINGTALK_API_BASE and DINGTALK_OAPI_BASE. */
  url: string;
  port: number;
  state: FakeDingTalkState;
  close(): Promise<void>;
}

/** Both hosts' APIs and the sandbox's own routes as one Hono app (the Stream socket is served beside it). */
export function createFakeDingTalkApp(state: FakeDingTalkState): Hono {
  const app = new Hono();
  const pipeline = new CallPipeline(state);
  registerSandboxRoutes(app, state);
  registerTokenRoutes(app, state, pipeline);
  registerCardRoutes(app, state, pipeline);
  registerTodoRoutes(app, state, pipeline);
  registerNoticeRoutes(app, state, pipeline);
  registerOrgRoutes(app, state, pipeline);
  registerLoginRoutes(app, state, pipeline);
  registerGatewayRoutes(app, state, pipeline);
  app.notFound((c) => pipeline.unknown(c));
  return app;
}

/** Where a client reaches a server bound to `host`. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/** The fake DingTalk on one port: `/v1.0/…` (api host), `/gettoken` and `/topapi/…` (oapi host), the Stream socket at `/connect`, the page at `/`. */
export function startFakeDingTalk(options: FakeDingTalkOptions): Promise<RunningFakeDingTalk> {
  const state = new FakeDingTalkState({
    apps: options.apps,
    cardTemplateIds: options.cardTemplateIds,
    ...(options.org ? { org: options.org } : {}),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    authCodeTtlSeconds: options.authCodeTtlSeconds ?? 300,
    streamRedeliverMs: options.streamRedeliverMs ?? 60_000,
    streamPingMs: options.streamPingMs ?? 10_000,
    clickTimeoutMs: options.clickTimeoutMs ?? 10_000,
    now: options.now ?? Date.now,
  });
  const app = createFakeDingTalkApp(state);
  const host = options.host ?? '127.0.0.1';
  const sockets = new WebSocketServer({ noServer: true });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${reachableHost(host)}:${info.port}`,
        port: info.port,
        state,
        close: () =>
          new Promise<void>((done) => {
            state.close();
            sockets.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    }) as Server;
    server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://fake-dingtalk');
      if (url.pathname !== STREAM_CONNECT_PATH) return refuseUpgrade(socket, 404, `no WebSocket at ${url.pathname}`);
      if (state.isDown()) return refuseUpgrade(socket, 503, 'DingTalk is down');
      const grant = state.stream.takeTicket(url.searchParams.get('ticket'));
      if (!grant) return refuseUpgrade(socket, 401, 'unknown or used ticket');
      sockets.handleUpgrade(request, socket, head, (ws) => state.stream.attach(ws, grant));
    });
    server.once('error', reject);
  });
}
