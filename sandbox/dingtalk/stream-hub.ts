import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import type { StreamSubscription } from '../../integrations/dingtalk/dingtalk-api';
import { newMessageId, parseStreamAck, streamFrame, type StreamAck, type StreamFrame, type StreamFrameType } from './stream-frames';

export interface StreamHubOptions {
  /** An unacked CALLBACK or EVENT frame is delivered again after this long. */
  redeliverMs: number;
  /** SYSTEM `ping` frames go out this often. */
  pingMs: number;
  /** After a SYSTEM `disconnect`, the socket is closed this much later (the client should have left by then). */
  disconnectGraceMs: number;
  now: () => number;
}

export interface StreamGrant {
  appKey: string;
  subscriptions: StreamSubscription[];
}

/** The ack that settled a delivery. */
export interface StreamDeliveryAck {
  ack: StreamAck;
  connectionId: string;
  /** Deliveries it took (1: acked the first time). */
  attempts: number;
}

export interface StreamFrameLogEntry {
  at: number;
  direction: 'sent' | 'received';
  connectionId: string;
  type?: StreamFrameType;
  topic?: string;
  messageId?: string;
  code?: number;
  attempt?: number;
}

export interface StreamPingStats {
  sent: number;
  answered: number;
  /** Acks of a ping whose data differed from the ping's. */
  mismatched: number;
}

interface Connection {
  id: string;
  appKey: string;
  socket: WebSocket;
  subscriptions: StreamSubscription[];
  connectedAt: number;
  /** False once a SYSTEM `disconnect` went out: nothing more is delivered to it. */
  live: boolean;
  outstandingPings: Map<string, string>;
}

interface Delivery {
  messageId: string;
  appKey: string;
  type: 'CALLBACK' | 'EVENT';
  topic: string;
  data: string;
  extraHeaders: Record<string, string>;
  attempts: number;
  timer?: NodeJS.Timeout;
  /** True when the ack ends the delivery; false redelivers later (an EVENT answered `LATER`). */
  settles: (ack: StreamAck) => boolean;
  resolve: (ack: StreamDeliveryAck) => void;
}

const FRAME_LOG_LIMIT = 1000;

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function subscribed(connection: Connection, type: 'CALLBACK' | 'EVENT', topic: string): boolean {
  return connection.subscriptions.some((s) => s.type === type && (s.topic === topic || s.topic === '*'));
}

/**
 * DingTalk's Stream gateway: one-use tickets, the sockets they open, and the frames sent over
 * them — CALLBACK and EVENT frames are delivered to a live connection of their app and delivered
 * again until acked; SYSTEM pings must be answered with their own data.
 */
export class StreamHub {
  private readonly tickets = new Map<string, StreamGrant>();
  private readonly connections = new Map<string, Connection>();
  private readonly deliveries = new Map<string, Delivery>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly pings: StreamPingStats = { sent: 0, answered: 0, mismatched: 0 };
  readonly frames: StreamFrameLogEntry[] = [];
  /** Messages from clients that were not acks. */
  readonly protocolErrors: Array<{ at: number; connectionId: string; reason: string }> = [];

  constructor(private readonly options: StreamHubOptions) {
    this.pingTimer = setInterval(() => this.pingAll(), options.pingMs);
    this.pingTimer.unref();
  }

  issueTicket(grant: StreamGrant): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, structuredClone(grant));
    return ticket;
  }

  /** A ticket opens one connection. */
  takeTicket(ticket: string | null): StreamGrant | undefined {
    if (!ticket) return undefined;
    const grant = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return grant;
  }

  attach(socket: WebSocket, grant: StreamGrant): string {
    const connection: Connection = {
      id: randomBytes(12).toString('hex'),
      appKey: grant.appKey,
      socket,
      subscriptions: grant.subscriptions,
      connectedAt: this.options.now(),
      live: true,
      outstandingPings: new Map(),
    };
    this.connections.set(connection.id, connection);
    socket.on('message', (data) => this.received(connection, textOf(data)));
    socket.on('close', () => this.connections.delete(connection.id));
    socket.on('error', () => socket.terminate());
    this.sendSystem(connection, 'CONNECTED', '{}');
    this.sendSystem(connection, 'REGISTERED', '{}');
    for (const delivery of this.deliveries.values()) {
      if (delivery.appKey === grant.appKey && !delivery.timer) this.attempt(delivery);
    }
    return connection.id;
  }

  /**
   * Delivers a frame to a live connection of `appKey` (or to the first that connects) until it
   * is acked; `messageId` given: the same frame again, as DingTalk's redelivery sends it.
   */
  deliver(
    appKey: string,
    type: 'CALLBACK' | 'EVENT',
    topic: string,
    data: string,
    extras: { headers?: Record<string, string>; messageId?: string; settles?: (ack: StreamAck) => boolean } = {},
  ): { messageId: string; acked: Promise<StreamDeliveryAck> } {
    const messageId = extras.messageId ?? newMessageId();
    const acked = new Promise<StreamDeliveryAck>((resolve) => {
      const delivery: Delivery = {
        messageId,
        appKey,
        type,
        topic,
        data,
        extraHeaders: extras.headers ?? {},
        attempts: 0,
        settles: extras.settles ?? (() => true),
        resolve,
      };
      const earlier = this.deliveries.get(messageId);
      if (earlier?.timer) clearTimeout(earlier.timer);
      this.deliveries.set(messageId, delivery);
      this.attempt(delivery);
    });
    return { messageId, acked };
  }

  /** Frames sent and not yet acked. */
  pendingCount(): number {
    return this.deliveries.size;
  }

  /** Open connections that still take deliveries (of `appKey`, or of every app). */
  connectionCount(appKey?: string): number {
    return [...this.connections.values()].filter((c) => c.live && c.socket.readyState === WebSocket.OPEN && (appKey === undefined || c.appKey === appKey))
      .length;
  }

  /** Terminates every socket, as a network failure would. */
  dropAll(): void {
    for (const connection of this.connections.values()) connection.socket.terminate();
    this.connections.clear();
  }

  /** SYSTEM `disconnect` to every connection; each is closed after the grace period. */
  sendDisconnect(reason = 'persistent connection is timeout'): number {
    let sent = 0;
    for (const connection of this.connections.values()) {
      if (!connection.live) continue;
      this.sendSystem(connection, 'disconnect', JSON.stringify({ reason }));
      connection.live = false;
      sent += 1;
      setTimeout(() => connection.socket.close(1000, 'disconnect'), this.options.disconnectGraceMs).unref();
    }
    return sent;
  }

  /** A SYSTEM `ping` to every live connection now; answers how many went out. */
  pingAll(): number {
    let sent = 0;
    for (const connection of this.connections.values()) {
      if (!connection.live || connection.socket.readyState !== WebSocket.OPEN) continue;
      const data = JSON.stringify({ opaque: randomBytes(8).toString('hex') });
      const messageId = this.sendSystem(connection, 'ping', data);
      connection.outstandingPings.set(messageId, data);
      this.pings.sent += 1;
      sent += 1;
    }
    return sent;
  }

  pingStats(): StreamPingStats {
    return { ...this.pings };
  }

  close(): void {
    clearInterval(this.pingTimer);
    for (const delivery of this.deliveries.values()) if (delivery.timer) clearTimeout(delivery.timer);
    this.deliveries.clear();
    this.dropAll();
  }

  private attempt(delivery: Delivery): void {
    if (delivery.timer) clearTimeout(delivery.timer);
    delete delivery.timer;
    const connection = this.pick(delivery);
    // No connection: it waits for the next one of its app (attach).
    if (!connection) return;
    delivery.attempts += 1;
    const frame = streamFrame(
      delivery.type,
      { ...delivery.extraHeaders, ...this.baseHeaders(connection, delivery.messageId), topic: delivery.topic },
      delivery.data,
    );
    this.send(connection, frame, delivery.attempts);
    delivery.timer = setTimeout(() => this.attempt(delivery), this.options.redeliverMs);
    delivery.timer.unref();
  }

  /** The newest live connection of the delivery's app that subscribed to its topic. */
  private pick(delivery: Delivery): Connection | undefined {
    const candidates = [...this.connections.values()].filter(
      (c) => c.live && c.appKey === delivery.appKey && c.socket.readyState === WebSocket.OPEN && subscribed(c, delivery.type, delivery.topic),
    );
    return candidates.at(-1);
  }

  private received(connection: Connection, raw: string): void {
    const parsed = parseStreamAck(raw);
    if (!parsed.ok) {
      this.protocolErrors.push({ at: this.options.now(), connectionId: connection.id, reason: parsed.reason });
      return;
    }
    const { ack } = parsed;
    const { messageId } = ack.headers;
    this.log({ at: this.options.now(), direction: 'received', connectionId: connection.id, messageId, code: ack.code });
    const ping = connection.outstandingPings.get(messageId);
    if (ping !== undefined) {
      connection.outstandingPings.delete(messageId);
      if (ack.data === ping) this.pings.answered += 1;
      else this.pings.mismatched += 1;
      return;
    }
    const delivery = this.deliveries.get(messageId);
    if (!delivery || delivery.appKey !== connection.appKey) return;
    if (delivery.timer) clearTimeout(delivery.timer);
    delete delivery.timer;
    if (!delivery.settles(ack)) {
      delivery.timer = setTimeout(() => this.attempt(delivery), this.options.redeliverMs);
      delivery.timer.unref();
      return;
    }
    this.deliveries.delete(messageId);
    delivery.resolve({ ack, connectionId: connection.id, attempts: delivery.attempts });
  }

  private baseHeaders(connection: Connection, messageId: string) {
    return { appId: connection.appKey, connectionId: connection.id, messageId, time: String(this.options.now()) };
  }

  private sendSystem(connection: Connection, topic: string, data: string): string {
    const messageId = newMessageId();
    this.send(connection, streamFrame('SYSTEM', { ...this.baseHeaders(connection, messageId), topic }, data));
    return messageId;
  }

  private send(connection: Connection, frame: StreamFrame, attempt?: number): void {
    if (connection.socket.readyState !== WebSocket.OPEN) return;
    connection.socket.send(JSON.stringify(frame));
    this.log({
      at: this.options.now(),
      direction: 'sent',
      connectionId: connection.id,
      type: frame.type,
      topic: frame.headers.topic,
      messageId: frame.headers.messageId,
      ...(attempt === undefined ? {} : { attempt }),
    });
  }

  private log(entry: StreamFrameLogEntry): void {
    this.frames.push(entry);
    if (this.frames.length > FRAME_LOG_LIMIT) this.frames.splice(0, this.frames.length - FRAME_LOG_LIMIT);
  }
}
