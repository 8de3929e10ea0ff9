/**
 * Drives the pure engine the way the workflow
 * does (start → answer every `resolve` command → act / fire timers), with an in-memory
 * directory standing in for the org lookup activity, so unit tests stay short.
 */
import type { Assignment, ResolveApproversInput } from '../../engine/assignment';
import type { ApprovalNode, FlowDefinition, FlowNode, FormValues } from '../../engine/dsl';
import {
  act,
  assigneesDeparted,
  checkAction,
  compensationDone,
  serviceCallAnswered,
  writeBackDone,
  currentAssignees,
  currentNodeIds,
  lookupAnswered,
  reassign,
  startInstance,
  terminate,
  timersDue,
  type ActionRequest,
  type ActionType,
  type Command,
  type InstanceState,
  type Notification,
  type ReassignRequest,
  type RefusalCode,
  type ResolvePurpose,
  type ServiceResult,
  type SignerPosition,
  type StartInstanceInput,
  type Task,
  type TaskStatus,
  type Transition,
} from '../../engine/instance';
import { parseDefinitionForPublish } from '../../engine/parse-definition';

export const T0 = '2026-03-02T09:00:00.000Z';
/** `T0` (or `from`) plus some minutes, as an ISO timestamp. */
export const minutesAfter = (minutes: number, from: string = T0): string => new Date(Date.parse(from) + minutes * 60_000).toISOString();
export const hoursAfter = (hours: number, from: string = T0): string => minutesAfter(hours * 60, from);

export type Answer = string | Assignment;

/**
 * Who a lookup finds. Keys:
 * - `node:<nodeId>` — overrides the answer for an approval or cc node (any source type);
 * - `role:<role>`, `manager:<subjectId>`, `dept_leader:<subjectId>`;
 * - `role:approval_admin` — the admins when the flow names none;
 * - `delegate:<userId>` — a running delegation (tasks only, as the real lookup does).
 * `users` answers its ids, `initiator` the initiator, `initiator_select` the ids chosen at start.
 */
export type Directory = Record<string, Answer[]>;

type ResolveCommand = Extract<Command, { type: 'resolve' }>;

export interface DriverOptions {
  directory?: Directory;
  initiatorId?: string;
  form?: FormValues;
  selectedApprovers?: Record<string, string[]>;
  now?: string;
  /** Leave these lookups unanswered (in `held`) so a test answers them itself. */
  hold?: (purpose: ResolvePurpose) => boolean;
  /** Skip the publish-time validation of the definition (for shapes the validator refuses). */
  unchecked?: boolean;
  /** Engine features the workflow switches on for new instances. */
  features?: InstanceState['features'];
  /** How ERP calls answer (default: 200). Return `'hold'` to leave the call out (in `heldCalls`). */
  erp?: (command: ErpCommand) => ServiceResult | 'hold';
  /** Extra start input (webhooks, callbackUrl, writeBack, source…). */
  input?: Partial<StartInstanceInput>;
}

/** Any of the fields an action may carry (each type takes some of them). */
export interface ActionFields {
  actionId?: string;
  taskId?: string;
  comment?: string;
  toUserId?: string;
  signers?: string[];
  position?: SignerPosition;
  targetNodeId?: string;
  form?: FormValues;
  targets?: Assignment[];
}

export type ErpCommand = Extract<Command, { type: 'service' | 'compensate' | 'write_back' }>;

export const toAssignment = (answer: Answer): Assignment => (typeof answer === 'string' ? { userId: answer } : answer);

/** A flow definition with a small form; nodes are given in full. */
export function flow(nodes: FlowNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition {
  return {
    code: 'test_flow',
    name: 'Test flow',
    form: {
      fields: [
        { key: 'amount', type: 'number' },
        { key: 'category', type: 'string' },
        { key: 'urgent', type: 'boolean' },
      ],
    },
    nodes,
    ...extra,
  };
}

export type ApprovalOptions = Partial<Omit<ApprovalNode, 'id' | 'type' | 'next'>>;

/** An approval node over a fixed list of users (mode `all` unless given). */
export function approval(id: string, ids: string[], next: string, options: ApprovalOptions = {}): ApprovalNode {
  return { id, type: 'approval', approvers: { type: 'users', ids }, mode: 'all', next, ...options } as ApprovalNode;
}

/** `start → a → b → … → end` over approval nodes given as [id, users, options?]. */
export function line(...steps: Array<[string, string[], ApprovalOptions?]>): FlowDefinition {
  const nodes: FlowNode[] = [{ id: 'start', type: 'start', next: steps[0]?.[0] ?? 'end' }];
  steps.forEach(([id, ids, options], i) => nodes.push(approval(id, ids, steps[i + 1]?.[0] ?? 'end', options)));
  nodes.push({ id: 'end', type: 'end' });
  return flow(nodes);
}

export class Driver {
  state: InstanceState;
  now: string;
  /** Every command the engine emitted, in order. */
  readonly log: Command[] = [];
  /** Lookups left unanswered because of `hold`. */
  readonly held: ResolveCommand[] = [];
  /** ERP calls left out because `erp` answered 'hold'. */
  readonly heldCalls: ErpCommand[] = [];
  private actionSeq = 0;

  constructor(
    readonly definition: FlowDefinition,
    private readonly options: DriverOptions = {},
  ) {
    if (!options.unchecked) {
      const parsed = parseDefinitionForPublish(definition);
      if (!parsed.ok) throw new Error(`test definition does not publish: ${JSON.stringify(parsed.problems)}`);
    }
    this.now = options.now ?? T0;
    const input: StartInstanceInput = {
      instanceId: 'approval:test_flow:BK-1',
      flowCode: definition.code,
      flowVersion: 1,
      definition,
      businessKey: 'BK-1',
      initiatorId: options.initiatorId ?? 'init',
      form: options.form ?? { amount: 100, category: 'office' },
      appKey: 'erp',
      ...(options.selectedApprovers ? { selectedApprovers: options.selectedApprovers } : {}),
      ...options.input,
    };
    const started = this.options.features ? startInstance(input, this.now, this.options.features) : startInstance(input, this.now);
    this.state = started.state;
    this.process(started.commands);
  }

  static start(definition: FlowDefinition, options: DriverOptions = {}): Driver {
    return new Driver(definition, options);
  }

  // ── the clock ──

  at(time: string): this {
    this.now = time;
    return this;
  }

  /** Moves the clock on by some minutes. */
  after(minutes: number): this {
    this.now = minutesAfter(minutes, this.now);
    return this;
  }

  // ── lookups ──

  /** What the in-memory org lookup answers for a request. */
  lookup(request: ResolveApproversInput, nodeId?: string): Assignment[] {
    const dir = this.options.directory ?? {};
    const override = nodeId !== undefined ? dir[`node:${nodeId}`] : undefined;
    let answers: Answer[];
    if (override) answers = override;
    else {
      const source = request.source;
      switch (source.type) {
        case 'users':
          answers = source.ids;
          break;
        case 'admins':
          answers = source.ids.length > 0 ? source.ids : (dir['role:approval_admin'] ?? []);
          break;
        case 'role':
          answers = dir[`role:${source.role}`] ?? [];
          break;
        case 'manager':
          answers = dir[`manager:${request.subjectId}`] ?? [];
          break;
        case 'dept_leader':
          answers = dir[`dept_leader:${request.subjectId}`] ?? [];
          break;
        case 'initiator':
          answers = [request.initiatorId];
          break;
        case 'initiator_select':
          answers = request.selected ?? [];
          break;
      }
    }
    let assignments = answers.map(toAssignment);
    if (request.whenApproverIsInitiator === 'to_manager' && request.source.type !== 'initiator') {
      const manager = dir[`manager:${request.initiatorId}`]?.[0];
      assignments = assignments.flatMap((a) =>
        a.userId !== request.initiatorId ? [a] : manager !== undefined ? [{ userId: toAssignment(manager).userId, substitutedFor: request.initiatorId }] : [],
      );
    }
    if (request.applyDelegation) {
      assignments = assignments.map((a) => {
        const delegate = dir[`delegate:${a.userId}`]?.[0];
        return delegate === undefined ? a : { ...a, userId: toAssignment(delegate).userId, delegatedFrom: a.userId };
      });
    }
    const seen = new Set<string>();
    return assignments.filter((a) => !seen.has(a.userId) && seen.add(a.userId));
  }

  private nodeIdOf(purpose: ResolvePurpose): string | undefined {
    if (purpose.kind === 'cc') return purpose.nodeId;
    if (purpose.kind === 'node') return [...this.state.runs, ...this.state.completedRuns].find((r) => r.runId === purpose.runId)?.nodeId;
    return undefined;
  }

  private process(commands: Command[]): void {
    for (const command of commands) {
      this.log.push(command);
      if (command.type === 'service' || command.type === 'compensate' || command.type === 'write_back') {
        const result = this.options.erp?.(command) ?? { ok: true, status: 200 };
        if (result === 'hold') this.heldCalls.push(command);
        else this.answerCall(command, result);
        continue;
      }
      if (command.type !== 'resolve') continue;
      if (this.options.hold?.(command.purpose)) {
        this.held.push(command);
        continue;
      }
      const answer = this.lookup(command.request, this.nodeIdOf(command.purpose));
      this.apply(lookupAnswered(this.state, command.purpose, answer, this.now));
    }
  }

  private apply(transition: Transition): Transition {
    this.state = transition.state;
    this.process(transition.commands);
    return transition;
  }

  private answerCall(command: ErpCommand, result: ServiceResult): Transition {
    switch (command.type) {
      case 'service':
        return this.apply(serviceCallAnswered(this.state, command.ref, result, this.now));
      case 'compensate':
        return this.apply(compensationDone(this.state, command.nodeId, result, this.now));
      case 'write_back':
        return this.apply(writeBackDone(this.state, result, this.now));
    }
  }

  /** Answers a held ERP call (the oldest one, or the one for `nodeId`). */
  answerCallOf(result: ServiceResult, nodeId?: string): Transition {
    const index = this.heldCalls.findIndex(
      (c) => nodeId === undefined || (c.type === 'service' ? c.ref.nodeId : c.type === 'compensate' ? c.nodeId : undefined) === nodeId,
    );
    if (index < 0) throw new Error(`no held ERP call${nodeId ? ` for ${nodeId}` : ''}`);
    const [command] = this.heldCalls.splice(index, 1);
    return this.answerCall(command!, result);
  }

  /** Answers a held lookup (the oldest one matching `kind` when given). */
  answer(answers: Answer[], kind?: ResolvePurpose['kind']): Transition {
    const index = this.held.findIndex((c) => kind === undefined || c.purpose.kind === kind);
    if (index < 0) throw new Error(`no held lookup${kind ? ` of kind ${kind}` : ''}`);
    const [command] = this.held.splice(index, 1);
    return this.apply(lookupAnswered(this.state, command!.purpose, answers.map(toAssignment), this.now));
  }

  // ── actions ──

  /** An action of `type` by `actorId` with a fresh action id; `extra` holds the fields its type takes. */
  request(type: ActionType, actorId: string, extra: ActionFields = {}): ActionRequest {
    return { type, actorId, actionId: `act-${++this.actionSeq}`, ...extra } as ActionRequest;
  }

  /** The refusal code `checkAction` gives, or null when the action would be accepted. */
  check(type: ActionType, actorId: string, extra: ActionFields = {}): RefusalCode | null {
    const check = checkAction(this.state, this.request(type, actorId, extra), this.now);
    return check.ok ? null : check.refusal.code;
  }

  /** Checks then applies an action, as the workflow's update validator and handler do. */
  do(type: ActionType, actorId: string, extra: ActionFields = {}): Transition {
    const action = this.request(type, actorId, extra);
    const check = checkAction(this.state, action, this.now);
    if (!check.ok) throw new Error(`${type} by ${actorId} refused: ${check.refusal.code} (${check.refusal.message})`);
    return this.apply(act(this.state, action, this.now));
  }

  approve(actorId: string, extra: ActionFields = {}): Transition {
    return this.do('approve', actorId, extra);
  }

  reject(actorId: string, extra: ActionFields = {}): Transition {
    return this.do('reject', actorId, extra);
  }

  /** An org push deactivated these users (the workflow's `assigneesDeparted` signal). */
  departed(...userIds: string[]): Transition {
    return this.apply(assigneesDeparted(this.state, userIds, this.now));
  }

  /** An admin's 强制终止, as the workflow's `terminate` update applies it once its validator let it through. */
  terminate(actorId: string, reason: string, requestId = `req-${++this.actionSeq}`): Transition {
    return this.apply(terminate(this.state, { requestId, actorId, reason }, this.now));
  }

  /** An admin's 修改审批人. */
  reassign(actorId: string, request: Omit<ReassignRequest, 'actorId' | 'requestId'>, requestId = `req-${++this.actionSeq}`): Transition {
    return this.apply(reassign(this.state, { requestId, actorId, ...request }, this.now));
  }

  /** Fires the timers due at `time` (default: the driver's clock). */
  timers(time?: string): Transition {
    if (time !== undefined) this.now = time;
    return this.apply(timersDue(this.state, this.now));
  }

  // ── reading the state ──

  get status() {
    return this.state.status;
  }

  assignees(): string[] {
    return currentAssignees(this.state);
  }

  nodes(): string[] {
    return currentNodeIds(this.state);
  }

  tasks(nodeId?: string): Task[] {
    return this.state.tasks.filter((t) => nodeId === undefined || t.nodeId === nodeId);
  }

  /** The latest task of `assigneeId` (on `nodeId` when given). */
  task(assigneeId: string, nodeId?: string): Task {
    const task = this.state.tasks.filter((t) => t.assigneeId === assigneeId && (nodeId === undefined || t.nodeId === nodeId)).at(-1);
    if (!task) throw new Error(`no task for ${assigneeId}${nodeId ? ` on ${nodeId}` : ''}`);
    return task;
  }

  /** [assignee, status] of the tasks of a node (or all), in creation order. */
  statuses(nodeId?: string): Array<[string, TaskStatus]> {
    return this.tasks(nodeId).map((t) => [t.assigneeId, t.status]);
  }

  notifications(kind?: Notification['kind']): Notification[] {
    return this.log.flatMap((c) => (c.type === 'notify' && (kind === undefined || c.notification.kind === kind) ? [c.notification] : []));
  }

  resolves(kind?: ResolvePurpose['kind']): ResolveCommand[] {
    return this.log.filter((c): c is ResolveCommand => c.type === 'resolve' && (kind === undefined || c.purpose.kind === kind));
  }

  events(type?: string) {
    return this.state.timeline.filter((e) => type === undefined || e.type === type);
  }
}
