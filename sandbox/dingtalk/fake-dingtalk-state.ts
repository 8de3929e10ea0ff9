import { randomBytes } from 'node:crypto';
import { CARD_CALLBACK_TOPIC, type CardClickAnswer, type CardClickCallback, type CardParamMap } from '../../integrations/dingtalk/dingtalk-api';
import { AccessTokens } from './access-tokens';
import type { ApiName, UNKNOWN_API } from './api-names';
import { AuthCodes } from './auth-codes';
import { cardClickPayload, postCardClick, readClickAnswer, type CardAction, type ClickDeliveryOutcome } from './card-click';
import type { FakeCard } from './fake-card';
import { OrgDirectory, type FakeOrg, type FakeUser } from './fake-org';
import { FailureSwitches, type FakeFailure } from './failure-switches';
import { NoticeBook, type FakeNotice } from './notice-book';
import type { StreamAck } from './stream-frames';
import { StreamHub, type StreamPingStats } from './stream-hub';
import { TodoBook, type FakeTodo } from './todo-book';

export interface FakeDingTalkApp {
  appKey: string;
  appSecret: string;
  agentId: number;
  corpId: string;
  robotCode?: string;
}

export interface FakeDingTalkStateOptions {
  apps: FakeDingTalkApp[];
  cardTemplateIds: string[];
  org?: FakeOrg;
  tokenTtlSeconds: number;
  authCodeTtlSeconds: number;
  streamRedeliverMs: number;
  streamPingMs: number;
  /** How long a click waits for the callback's answer (HTTP response or Stream ack). */
  clickTimeoutMs: number;
  now: () => number;
}

/** One API request as the fake saw it; `path` never carries a token or secret. */
export interface RecordedCall {
  api: ApiName | typeof UNKNOWN_API;
  method: string;
  path: string;
  status: number;
  errorCode?: string;
  /** The app whose token (or credentials) the call carried. */
  appKey?: string;
  at: number;
}

export interface CardCallbackRegistration {
  appKey: string;
  callbackRouteKey: string;
  callbackUrl: string;
  apiSecret?: string;
  registeredAt: number;
}

export interface ClickInput {
  outTrackId: string;
  userId: string;
  action: CardAction;
  /** What kind of id `userId` is (1 userId, default; 2 unionId); the click carries the card's kind. */
  userIdType?: 1 | 2;
}

export interface ClickOptions {
  /** The user presses the button this many times (each a new delivery); answers the last. */
  times?: number;
  timeoutMs?: number;
}

export interface ClickResult {
  transport: 'HTTP' | 'STREAM';
  /** The callback's HTTP status or the ack's code; 0: no answer. */
  status: number;
  answer?: CardClickAnswer;
  /** Why the answer did not update the card. */
  error?: string;
}

export interface RecordedClick extends ClickResult {
  at: number;
  outTrackId: string;
  /** As the click carried it (the card's id kind). */
  userId: string;
  action: CardAction;
  /** A redelivery of an earlier click (`redeliverLastClick`). */
  redelivery: boolean;
  messageId?: string;
  /** Stream: frames it took until acked. */
  attempts?: number;
  durationMs: number;
  /** Answered later than the 2 s DingTalk gives a callback. */
  late: boolean;
}

interface ClickDelivery {
  card: FakeCard;
  payload: CardClickCallback & { userIdType: 1 | 2 };
  action: CardAction;
  messageId?: string;
}

const DINGTALK_ANSWER_BUDGET_MS = 2_000;

/**
 * Everything the fake DingTalk holds and how it behaves: apps, tokens, the org, cards, todos,
 * work notices, the call log, failure switches and the Stream gateway. Tests read and steer it
 * in-process; the HTTP layer records into it.
 */
export class FakeDingTalkState {
  readonly apps: ReadonlyMap<string, FakeDingTalkApp>;
  readonly cardTemplateIds: ReadonlySet<string>;
  readonly tokens: AccessTokens;
  readonly directory: OrgDirectory;
  readonly stream: StreamHub;
  readonly cards = new Map<string, FakeCard>();
  readonly todoBook = new TodoBook();
  readonly noticeBook = new NoticeBook();
  readonly calls: RecordedCall[] = [];
  readonly clicks: RecordedClick[] = [];
  readonly now: () => number;
  private readonly authCodes: AuthCodes;
  private readonly callbacks = new Map<string, CardCallbackRegistration>();
  private readonly failures = new FailureSwitches();
  private readonly clickTimeoutMs: number;
  private down = false;
  private latency = 0;
  private lastClick: ClickDelivery | undefined;

  constructor(options: FakeDingTalkStateOptions) {
    this.now = options.now;
    this.apps = new Map(options.apps.map((a) => [a.appKey, { ...a }]));
    this.cardTemplateIds = new Set(options.cardTemplateIds);
    this.tokens = new AccessTokens(options.tokenTtlSeconds, options.now);
    this.authCodes = new AuthCodes(options.authCodeTtlSeconds, options.now);
    this.directory = new OrgDirectory(options.org);
    this.clickTimeoutMs = options.clickTimeoutMs;
    this.stream = new StreamHub({ redeliverMs: options.streamRedeliverMs, pingMs: options.streamPingMs, disconnectGraceMs: 1_000, now: options.now });
  }

  // ── the org and 免登 ──

  get org(): FakeOrg {
    return this.directory.snapshot();
  }

  setOrg(org: FakeOrg): void {
    this.directory.set(org);
  }

  addUser(user: FakeUser): void {
    this.directory.addUser(user);
  }

  /** A one-use 免登 code for the user, as `dd.requestAuthCode` would give the page. */
  issueAuthCode(userid: string): string {
    if (!this.directory.userById(userid)) throw new Error(`issueAuthCode: no user ${userid} in the org`);
    return this.authCodes.issue(userid);
  }

  redeemAuthCode(code: string): string | undefined {
    return this.authCodes.redeem(code);
  }

  // ── the call log ──

  recordCall(call: RecordedCall): void {
    this.calls.push(call);
  }

  callCount(api?: ApiName): number {
    return api === undefined ? this.calls.length : this.calls.filter((c) => c.api === api).length;
  }

  // ── switches ──

  /** The next `times` calls of `api` (or of any API: `*`) answer with the failure, as the API's host words it. */
  failNext(api: ApiName | '*', failure: FakeFailure, times = 1): void {
    this.failures.arm(api, failure, times);
  }

  takeFailure(api: ApiName): FakeFailure | undefined {
    return this.failures.take(api);
  }

  /** Down: every API answers 503 with an HTML page and Stream sockets are cut; the sandbox page stays up. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.stream.dropAll();
  }

  isDown(): boolean {
    return this.down;
  }

  setLatencyMs(ms: number): void {
    if (!(ms >= 0)) throw new Error(`setLatencyMs: ${ms} is not a non-negative number`);
    this.latency = ms;
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Every token issued so far stops working; the next token request gets a new one. */
  revokeTokens(): void {
    this.tokens.revokeAll();
  }

  // ── cards ──

  /** `forceUpdate` false and the key taken: false. */
  registerCardCallback(registration: Omit<CardCallbackRegistration, 'registeredAt'>, forceUpdate: boolean): boolean {
    const key = callbackKey(registration.appKey, registration.callbackRouteKey);
    if (this.callbacks.has(key) && !forceUpdate) return false;
    this.callbacks.set(key, { ...registration, registeredAt: this.now() });
    return true;
  }

  callbackFor(appKey: string, callbackRouteKey: string): CardCallbackRegistration | undefined {
    return this.callbacks.get(callbackKey(appKey, callbackRouteKey));
  }

  /** What `userId` (of the card's id kind, as in `card.userIds`) sees on the card. */
  paramsFor(card: FakeCard, userId: string): CardParamMap {
    return card.paramsFor(userId);
  }

  /** The cards delivered to the org user (by userid), whatever id kind they were addressed by. */
  cardsOf(userid: string): FakeCard[] {
    return [...this.cards.values()].filter((card) => {
      const id = this.cardIdOf(card, userid);
      return id !== undefined && card.userIds.includes(id);
    });
  }

  /** What the org user sees on the card. */
  cardParamsForUser(card: FakeCard, userid: string): CardParamMap {
    return card.paramsFor(this.cardIdOf(card, userid) ?? userid);
  }

  /**
   * A button press on the card, delivered as DingTalk would: signed POST to the callback URL of
   * the card's route key (HTTP) or a CALLBACK frame to a live Stream connection of its app. The
   * answer updates the card.
   */
  async click(input: ClickInput, options: ClickOptions = {}): Promise<ClickResult> {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`click: times must be a positive integer, got ${times}`);
    const delivery = this.clickDelivery(input);
    let result: ClickResult | undefined;
    for (let i = 0; i < times; i += 1) result = await this.deliverClick({ ...delivery }, options.timeoutMs ?? this.clickTimeoutMs, false);
    return result!;
  }

  /** The last click again: the same body (HTTP, newly signed) or the same frame and messageId (Stream). */
  async redeliverLastClick(options: { timeoutMs?: number } = {}): Promise<ClickResult> {
    if (!this.lastClick) throw new Error('redeliverLastClick: no click yet');
    return this.deliverClick({ ...this.lastClick }, options.timeoutMs ?? this.clickTimeoutMs, true);
  }

  // ── todos and notices ──

  todosOf(unionId: string): FakeTodo[] {
    return this.todoBook.of(unionId);
  }

  noticesOf(userid: string): FakeNotice[] {
    return this.noticeBook.of(userid);
  }

  // ── Stream ──

  streamConnectionCount(appKey?: string): number {
    return this.stream.connectionCount(appKey);
  }

  /** Cuts every Stream socket (terminate, no close frame). */
  dropStreamConnections(): void {
    this.stream.dropAll();
  }

  /** SYSTEM `disconnect` to every connection (which is then closed); answers how many were told. */
  sendStreamDisconnect(reason?: string): number {
    return this.stream.sendDisconnect(reason);
  }

  /** SYSTEM `ping` to every connection now (they also go out periodically). */
  pingStreamConnections(): number {
    return this.stream.pingAll();
  }

  streamPingStats(): StreamPingStats {
    return this.stream.pingStats();
  }

  /** An EVENT frame (e.g. a contact change) to a connection of the app subscribed to it; resolves when acked `SUCCESS`. */
  sendStreamEvent(event: { eventType: string; data: Record<string, unknown>; appKey?: string }): Promise<{ status: string; attempts: number }> {
    const app = event.appKey ? this.apps.get(event.appKey) : this.apps.values().next().value;
    if (!app) throw new Error(`sendStreamEvent: no app ${event.appKey ?? ''}`);
    const eventId = randomBytes(12).toString('hex');
    const { acked } = this.stream.deliver(app.appKey, 'EVENT', event.eventType, JSON.stringify(event.data), {
      headers: {
        eventBornTime: String(this.now()),
        eventCorpId: app.corpId,
        eventId,
        eventType: event.eventType,
        eventUnifiedAppId: app.appKey,
      },
      settles: (ack) => eventStatusOf(ack) !== 'LATER',
    });
    return acked.then(({ ack, attempts }) => ({ status: eventStatusOf(ack) ?? '', attempts }));
  }

  // ── lifecycle and views ──

  close(): void {
    this.stream.close();
  }

  /** What `GET /_sandbox/state.json` answers: never a token or a secret. */
  snapshot(): Record<string, unknown> {
    return {
      apps: [...this.apps.values()].map(({ appKey, agentId, corpId, robotCode }) => ({ appKey, agentId, corpId, ...(robotCode ? { robotCode } : {}) })),
      cardTemplateIds: [...this.cardTemplateIds],
      down: this.down,
      latencyMs: this.latency,
      failNext: this.failures.pending(),
      org: this.org,
      cards: [...this.cards.values()].map((c) => c.toJSON()),
      cardCallbacks: [...this.callbacks.values()].map(({ appKey, callbackRouteKey, callbackUrl, apiSecret, registeredAt }) => ({
        appKey,
        callbackRouteKey,
        callbackUrl,
        signed: apiSecret !== undefined,
        registeredAt,
      })),
      clicks: this.clicks,
      todos: this.todoBook.all(),
      notices: this.noticeBook.all(),
      calls: this.calls,
      stream: {
        connections: this.stream.connectionCount(),
        pendingFrames: this.stream.pendingCount(),
        pings: this.stream.pingStats(),
        recentFrames: this.stream.frames.slice(-100),
        protocolErrors: this.stream.protocolErrors,
      },
    };
  }

  private cardIdOf(card: FakeCard, userid: string): string | undefined {
    if (card.userIdType === 1) return userid;
    return this.directory.userById(userid)?.unionid;
  }

  private clickDelivery(input: ClickInput): ClickDelivery {
    const card = this.cards.get(input.outTrackId);
    if (!card) throw new Error(`click: no card ${input.outTrackId}`);
    const app = this.apps.get(card.appKey);
    if (!app) throw new Error(`click: the card's app ${card.appKey} is gone`);
    const givenType = input.userIdType ?? 1;
    let userId = input.userId;
    if (givenType !== card.userIdType) {
      const user = this.directory.userByCardId(input.userId, givenType);
      if (!user) throw new Error(`click: no user ${input.userId} (userIdType ${givenType}) in the org`);
      userId = card.userIdType === 2 ? user.unionid : user.userid;
    }
    const payload = cardClickPayload({ outTrackId: card.outTrackId, corpId: app.corpId, userId, userIdType: card.userIdType, action: input.action });
    return { card, payload, action: input.action };
  }

  private async deliverClick(delivery: ClickDelivery, timeoutMs: number, redelivery: boolean): Promise<ClickResult> {
    const { card, payload } = delivery;
    const startedAt = this.now();
    const started = performance.now();
    let outcome: ClickDeliveryOutcome & { messageId?: string; attempts?: number };
    let transport: 'HTTP' | 'STREAM';
    if (card.callbackType === 'HTTP') {
      transport = 'HTTP';
      const registration = card.callbackRouteKey ? this.callbackFor(card.appKey, card.callbackRouteKey) : undefined;
      outcome = registration
        ? await postCardClick({ callbackUrl: registration.callbackUrl, apiSecret: registration.apiSecret, payload, timestamp: this.now(), timeoutMs })
        : { status: 0, error: `no callback URL registered for route key ${card.callbackRouteKey ?? '(none)'}` };
      delete delivery.messageId;
    } else if (card.callbackType === 'STREAM') {
      transport = 'STREAM';
      const sent = this.stream.deliver(
        card.appKey,
        'CALLBACK',
        CARD_CALLBACK_TOPIC,
        JSON.stringify(payload),
        redelivery && delivery.messageId ? { messageId: delivery.messageId } : {},
      );
      delivery.messageId = sent.messageId;
      outcome = { ...(await this.streamClickOutcome(sent.acked, timeoutMs)), messageId: sent.messageId };
    } else {
      throw new Error(`click: card ${card.outTrackId} was created without a callbackType: its buttons call nothing`);
    }
    if (outcome.answer) card.applyAnswer(outcome.answer, payload.userId, this.now());
    const durationMs = Math.round(performance.now() - started);
    const result: ClickResult = {
      transport,
      status: outcome.status,
      ...(outcome.answer ? { answer: outcome.answer } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    this.clicks.push({
      ...result,
      at: startedAt,
      outTrackId: card.outTrackId,
      userId: payload.userId,
      action: delivery.action,
      redelivery,
      ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
      ...(outcome.attempts ? { attempts: outcome.attempts } : {}),
      durationMs,
      late: durationMs > DINGTALK_ANSWER_BUDGET_MS,
    });
    this.lastClick = delivery;
    return result;
  }

  private async streamClickOutcome(
    acked: Promise<{ ack: StreamAck; attempts: number }>,
    timeoutMs: number,
  ): Promise<ClickDeliveryOutcome & { attempts?: number }> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      timer.unref();
    });
    const settled = await Promise.race([acked, timedOut]).finally(() => clearTimeout(timer));
    if (!settled) return { status: 0, error: `no ack within ${timeoutMs} ms (the frame stays pending and is delivered again)` };
    const { ack, attempts } = settled;
    if (ack.code !== 200) return { status: ack.code, attempts, error: `acked with code ${ack.code}` };
    if (ack.data === undefined) return { status: ack.code, attempts, error: 'the ack carries no data' };
    let data: unknown;
    try {
      data = JSON.parse(ack.data);
    } catch {
      return { status: ack.code, attempts, error: 'the ack data is not a JSON string' };
    }
    const response = typeof data === 'object' && data !== null && 'response' in data ? data.response : undefined;
    if (response === undefined) return { status: ack.code, attempts, error: 'the ack data has no response' };
    const answer = readClickAnswer(response);
    return answer.ok
      ? { status: ack.code, attempts, answer: answer.answer }
      : { status: ack.code, attempts, error: `the response is not a card answer: ${answer.reason}` };
  }
}

function callbackKey(appKey: string, routeKey: string): string {
  return `${appKey}\n${routeKey}`;
}

function eventStatusOf(ack: StreamAck): string | undefined {
  if (ack.data === undefined) return undefined;
  try {
    const data: unknown = JSON.parse(ack.data);
    return typeof data === 'object' && data !== null && 'status' in data && typeof data.status === 'string' ? data.status : undefined;
  } catch {
    return undefined;
  }
}
