import WebSocket from 'ws';
import type { DingTalkApi, StreamSubscription } from './dingtalk-api';

/** A frame DingTalk's Stream gateway sends (DINGTALK.md "Stream mode"). */
export interface StreamFrame {
  specVersion?: string;
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: { messageId?: string; topic?: string; contentType?: string; [name: string]: unknown };
  data: string;
}

export interface StreamClientOptions {
  api: Pick<DingTalkApi, 'openStreamConnection'>;
  subscriptions: StreamSubscription[];
  /** Answers a CALLBACK frame (its data parsed); acked as `{response: answer}`. Throwing leaves the frame unacked, so DingTalk delivers it again. */
  onCallback: (topic: string, data: unknown, headers: StreamFrame['headers']) => Promise<unknown>;
  onEvent?: (topic: string, data: unknown, headers: StreamFrame['headers']) => Promise<'SUCCESS' | 'LATER'>;
  log?: (line: Record<string, unknown>) => void;
  backoff?: { initialMs?: number; maxMs?: number };
  random?: () => number;
  /** The WebSocket class (tests, proxies); `ws` by default. */
  WebSocketImpl?: typeof WebSocket;
}

export interface StreamClient {
  /** Resolves once the first connection is open. */
  ready: Promise<void>;
  connected(): boolean;
  stop(): Promise<void>;
}

/**
 * DingTalk Stream mode on `ws`, in place of the `dingtalk-stream` package (which hard-codes
 * DingTalk's hosts and prints the client secret): opens a connection through the gateway API,
 * acks every frame, answers pings, and on `disconnect` or a closed socket opens a new connection
 * (a new ticket) with exponential backoff and jitter, until stopped.
 */
export function startStreamClient(options: StreamClientOptions): StreamClient {
  const log = options.log ?? (() => undefined);
  const random = options.random ?? Math.random;
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const WebSocketImpl = options.WebSocketImpl ?? WebSocket;
  let socket: WebSocket | undefined;
  let stopped = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = Math.min(maxMs, initialMs * 2 ** failures) * (0.5 + random() * 0.5);
    failures++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    let endpoint: string;
    try {
      const ticket = await options.api.openStreamConnection(options.subscriptions);
      endpoint = `${ticket.endpoint}${ticket.endpoint.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket.ticket)}`;
    } catch (err) {
      log({ level: 'warn', msg: 'DingTalk Stream: could not open a connection', error: err instanceof Error ? err.message : String(err) });
      scheduleReconnect();
      return;
    }
    if (stopped) return;
    let ws: WebSocket;
    try {
      ws = new WebSocketImpl(endpoint);
    } catch (err) {
      log({ level: 'warn', msg: 'DingTalk Stream: could not open a connection', error: err instanceof Error ? err.message : String(err) });
      scheduleReconnect();
      return;
    }
    // After a `disconnect` the old connection is still up: it goes once this one is open.
    const previous = socket;
    socket = ws;
    ws.on('open', () => {
      failures = 0;
      markReady();
      log({ level: 'info', msg: 'DingTalk Stream: connected' });
      if (previous && previous !== ws) previous.close();
    });
    ws.on('message', (raw) => void handle(ws, raw.toString()));
    ws.on('error', (err) => log({ level: 'warn', msg: 'DingTalk Stream: socket error', error: err.message }));
    ws.on('close', () => {
      if (socket !== ws) return; // replaced after a disconnect
      socket = undefined;
      if (!stopped) scheduleReconnect();
    });
  }

  async function handle(ws: WebSocket, raw: string): Promise<void> {
    let frame: StreamFrame;
    try {
      frame = JSON.parse(raw) as StreamFrame;
    } catch {
      log({ level: 'warn', msg: 'DingTalk Stream: a frame that is not JSON' });
      return;
    }
    if (typeof frame !== 'object' || frame === null) {
      log({ level: 'warn', msg: 'DingTalk Stream: a frame that is not an object' });
      return;
    }
    const topic = String(frame.headers?.topic ?? '');
    const ack = (data: string) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ code: 200, headers: { messageId: frame.headers?.messageId, contentType: 'application/json' }, message: 'OK', data }));
    };
    if (frame.type === 'SYSTEM') {
      if (topic === 'ping') return ack(frame.data);
      if (topic === 'disconnect') {
        ack(frame.data);
        log({ level: 'info', msg: 'DingTalk Stream: the gateway asked to reconnect' });
        failures = 0;
        void connect();
        return;
      }
      // CONNECTED, REGISTERED, KEEPALIVE: acked like every frame, nothing else to do.
      return ack(frame.data);
    }
    let data: unknown;
    try {
      data = frame.data ? JSON.parse(frame.data) : {};
    } catch {
      data = frame.data;
    }
    try {
      if (frame.type === 'CALLBACK') ack(JSON.stringify({ response: await options.onCallback(topic, data, frame.headers) }));
      else ack(JSON.stringify({ status: options.onEvent ? await options.onEvent(topic, data, frame.headers) : 'SUCCESS' }));
    } catch (err) {
      log({
        level: 'error',
        msg: 'DingTalk Stream: handling a frame failed; it will be delivered again',
        topic,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  void connect();
  return {
    ready,
    connected: () => socket?.readyState === WebSocket.OPEN,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const ws = socket;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1_000).unref();
      });
    },
  };
}
