import { FailureBoard, type FailureDecision, type FailureSetting, type FailureSwitches, type FailureTarget } from './failure-modes';
import { NonceLedger } from './signed-requests';
import type { WebhookEvent, WebhookEventType } from './webhook-event';

export const DEFAULT_BUDGET = 1_000_000;

export interface ReceivedEvent {
  eventId: string;
  type: WebhookEventType;
  body: WebhookEvent;
  /** When the first delivery arrived (ISO). */
  receivedAt: string;
  /** How many valid deliveries of this event arrived (the first included). */
  deliveries: number;
  appKey: string;
  /** The request target of the first delivery (path and query). */
  path: string;
}

export interface RejectedRequest {
  at: string;
  method: string;
  path: string;
  code: string;
  reason: string;
}

export type OperationName = 'reserve_budget' | 'release_budget' | 'write_back';

export interface OperationResponse {
  status: number;
  body: unknown;
}

export interface RecordedOperation {
  operation: OperationName;
  idempotencyKey: string;
  method: string;
  path: string;
  body: unknown;
  /** The first answer; every repeat of the key gets it again. */
  response: OperationResponse;
  appliedAt: string;
  /** Requests that carried this key and reached it (the first included). */
  requests: number;
  /** The document a write-back was for. */
  document?: { type: string; id: string };
}

export interface Reservation {
  reservationId: string;
  businessKey: string;
  amount: number;
  instanceId?: string;
  status: 'reserved' | 'released';
  reservedAt: string;
  releasedAt?: string;
}

export interface BudgetView {
  total: number;
  remaining: number;
  reservations: Reservation[];
}

/** What `GET /api/received` answers. */
export interface SandboxSnapshot {
  events: ReceivedEvent[];
  rejected: RejectedRequest[];
  operations: RecordedOperation[];
  budget: BudgetView;
  failures: FailureSwitches;
}

type ReserveOutcome = { ok: true; reservation: Reservation } | { ok: false; remaining: number };

/**
 * Everything the fake ERP has received and holds. Tests read and steer it in-process; the HTTP
 * layer (erp-sandbox.ts) records into it. Accessors answer copies.
 */
export class ErpSandboxState {
  private readonly trusted = new Map<string, string>();
  readonly nonces = new NonceLedger();
  private readonly failureBoard = new FailureBoard();
  private readonly received = new Map<string, ReceivedEvent>();
  private readonly rejections: RejectedRequest[] = [];
  private readonly applied = new Map<string, RecordedOperation>();
  private readonly ledger: Reservation[] = [];
  private reservationSeq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    webhookApps: Record<string, string> = {},
    readonly budgetTotal = DEFAULT_BUDGET,
  ) {
    for (const [appKey, secret] of Object.entries(webhookApps)) this.trustApp(appKey, secret);
  }

  // ── configuration ──

  /** Accepts webhooks signed by `appKey` with `secret` (replaces an earlier secret). */
  trustApp(appKey: string, secret: string): void {
    this.trusted.set(appKey, secret);
  }

  secretOf(appKey: string): string | undefined {
    return this.trusted.get(appKey);
  }

  setFailure(setting: FailureSetting): FailureSwitches {
    const modes = this.failureBoard.set(setting);
    this.changed();
    return modes;
  }

  /** Clears what was received, the ledger, nonces and failure modes; trusted apps stay. */
  reset(): void {
    this.received.clear();
    this.rejections.length = 0;
    this.applied.clear();
    this.ledger.length = 0;
    this.reservationSeq = 0;
    this.nonces.clear();
    this.failureBoard.reset();
    this.changed();
  }

  // ── reading ──

  events(): ReceivedEvent[] {
    return structuredClone([...this.received.values()]);
  }

  rejected(): RejectedRequest[] {
    return structuredClone(this.rejections);
  }

  operations(): RecordedOperation[] {
    return structuredClone([...this.applied.values()]);
  }

  budget(): BudgetView {
    const reserved = this.ledger.filter((r) => r.status === 'reserved').reduce((sum, r) => sum + r.amount, 0);
    return { total: this.budgetTotal, remaining: this.budgetTotal - reserved, reservations: structuredClone(this.ledger) };
  }

  failures(): FailureSwitches {
    return this.failureBoard.snapshot();
  }

  snapshot(): SandboxSnapshot {
    return { events: this.events(), rejected: this.rejected(), operations: this.operations(), budget: this.budget(), failures: this.failures() };
  }

  /** Resolves with the first received event `match` accepts, waiting up to `timeoutMs` for it. */
  waitForEvent(match: (event: ReceivedEvent) => boolean, timeoutMs = 10_000): Promise<ReceivedEvent> {
    return this.waitFor(() => this.events().find(match), timeoutMs, 'webhook event');
  }

  /** Resolves with the first recorded operation `match` accepts, waiting up to `timeoutMs` for it. */
  waitForOperation(match: (operation: RecordedOperation) => boolean, timeoutMs = 10_000): Promise<RecordedOperation> {
    return this.waitFor(() => this.operations().find(match), timeoutMs, 'operation');
  }

  // ── recording (the HTTP layer) ──

  takeFailure(target: FailureTarget): FailureDecision {
    const decision = this.failureBoard.take(target);
    if (decision.kind !== 'pass') this.changed();
    return decision;
  }

  /** Records a valid delivery; false if the event had been received before (its count goes up). */
  recordEvent(body: WebhookEvent, appKey: string, path: string): boolean {
    const known = this.received.get(body.eventId);
    if (known) {
      known.deliveries += 1;
      this.changed();
      return false;
    }
    const receivedAt = new Date().toISOString();
    this.received.set(body.eventId, { eventId: body.eventId, type: body.type, body, receivedAt, deliveries: 1, appKey, path });
    this.changed();
    return true;
  }

  recordRejection(rejection: Omit<RejectedRequest, 'at'>): void {
    this.rejections.push({ at: new Date().toISOString(), ...rejection });
    this.changed();
  }

  /** The operation recorded under this key, its request count bumped. */
  repeatOperation(operation: OperationName, idempotencyKey: string): RecordedOperation | undefined {
    const known = this.applied.get(operationKey(operation, idempotencyKey));
    if (!known) return undefined;
    known.requests += 1;
    this.changed();
    return structuredClone(known);
  }

  recordOperation(record: Omit<RecordedOperation, 'appliedAt' | 'requests'>): void {
    const appliedAt = new Date().toISOString();
    this.applied.set(operationKey(record.operation, record.idempotencyKey), { ...record, appliedAt, requests: 1 });
    this.changed();
  }

  reserve(businessKey: string, amount: number, instanceId: string | undefined): ReserveOutcome {
    const { remaining } = this.budget();
    if (amount > remaining) return { ok: false, remaining };
    this.reservationSeq += 1;
    const reservation: Reservation = {
      reservationId: `RSV-${String(this.reservationSeq).padStart(6, '0')}`,
      businessKey,
      amount,
      ...(instanceId === undefined ? {} : { instanceId }),
      status: 'reserved',
      reservedAt: new Date().toISOString(),
    };
    this.ledger.push(reservation);
    return { ok: true, reservation: { ...reservation } };
  }

  /** Releases every open reservation of the business key; none is not an error (released 0). */
  release(businessKey: string): { released: number; reservationIds: string[] } {
    const open = this.ledger.filter((r) => r.businessKey === businessKey && r.status === 'reserved');
    const releasedAt = new Date().toISOString();
    for (const reservation of open) Object.assign(reservation, { status: 'released', releasedAt });
    return { released: open.reduce((sum, r) => sum + r.amount, 0), reservationIds: open.map((r) => r.reservationId) };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = () => {
        const value = probe();
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`ERP sandbox: no matching ${what} within ${timeoutMs} ms; received ${this.received.size} events, ${this.applied.size} operations`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }
}

function operationKey(operation: OperationName, idempotencyKey: string): string {
  return `${operation}\n${idempotencyKey}`;
}
