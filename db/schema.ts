import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { FlowDefinition } from '../engine/dsl';
import type { InstanceView } from '../engine/instance-view';
import type { InstanceStatus, TaskStatus } from '../engine/state';
import type { WebhookAttempt } from '../integrations/webhooks/send-webhook';

/** The editable draft of a flow; publishing copies it into an immutable `flow_versions` row. */
export const flowDefinitions = pgTable('flow_definitions', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  draft: jsonb('draft').$type<FlowDefinition>().notNull(),
  latestVersion: integer('latest_version'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const flowVersions = pgTable(
  'flow_versions',
  {
    code: text('code')
      .notNull()
      .references(() => flowDefinitions.code),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<FlowDefinition>().notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.code, t.version] })],
);

/** One row per person: the center's id bound to the DingTalk userId and the ERP user id (seed 000). */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    mobile: text('mobile'),
    email: text('email'),
    deptIds: text('dept_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    managerId: text('manager_id'),
    title: text('title'),
    roles: text('roles')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    dingtalkUserId: text('dingtalk_user_id'),
    /** DingTalk's unionId: todo items address people by it (DINGTALK.md 待办). */
    dingtalkUnionId: text('dingtalk_union_id'),
    erpUserId: text('erp_user_id'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('users_dingtalk_user_id_idx').on(t.dingtalkUserId),
    index('users_manager_id_idx').on(t.managerId),
    index('users_roles_idx').using('gin', t.roles),
  ],
);

/** `read_all`: read every instance, not only those the app started (SPEC §7). */
export const APP_PERMISSIONS = ['start', 'act_for', 'sync', 'read_all', 'admin'] as const;
export type AppPermission = (typeof APP_PERMISSIONS)[number];

/** Systems that call us with signed requests (SPEC §7). The secret is stored AES-256-GCM encrypted. */
export const apps = pgTable('apps', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  secretCiphertext: text('secret_ciphertext').notNull(),
  /** After a rotation: the secret before, still accepted on inbound requests until `previousSecretExpiresAt`. */
  previousSecretCiphertext: text('previous_secret_ciphertext'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true }),
  permissions: text('permissions').array().$type<AppPermission[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Nonces seen inside the signature window; a second use is a replay. Rows past `expiresAt` are swept. */
export const authNonces = pgTable(
  'auth_nonces',
  {
    appKey: text('app_key').notNull(),
    nonce: text('nonce').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.appKey, t.nonce] }), index('auth_nonces_expires_at_idx').on(t.expiresAt)],
);

/** The department tree pushed by the ERP (SPEC §6); `dept_leader` walks it up through `parentId`. */
export const departments = pgTable(
  'departments',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    parentId: text('parent_id'),
    leaderIds: text('leader_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('departments_parent_id_idx').on(t.parentId)],
);

/** 委托 (SPEC §5): tasks meant for the delegator in [startsAt, endsAt) go to the delegate. */
export const delegations = pgTable(
  'delegations',
  {
    id: text('id').primaryKey(),
    delegatorId: text('delegator_id').notNull(),
    delegateId: text('delegate_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** The flows it covers; null covers every flow. */
    flowCodes: text('flow_codes').array(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('delegations_delegator_id_starts_at_idx').on(t.delegatorId, t.startsAt)],
);

/** The outbox of cards to push (reminders, urges, cc…); a sender delivers and stamps `deliveredAt`. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Idempotency key: the same notification written twice (an activity retry) is one row. */
    key: text('key').notNull().unique(),
    instanceId: text('instance_id').notNull(),
    kind: text('kind').notNull(),
    recipientId: text('recipient_id').notNull(),
    nodeId: text('node_id'),
    taskId: text('task_id'),
    title: text('title').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** pending · sent (DingTalk accepted it) · failed (for good: no DingTalk user, a parameter error) · skipped (no DingTalk configured) */
    state: text('state').$type<NotificationState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** DingTalk's `task_id` of the send. */
    dingtalkTaskId: text('dingtalk_task_id'),
    /** When the recipient opened it in the app (抄送我的 shows what is unread). */
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_recipient_id_created_at_idx').on(t.recipientId, t.createdAt),
    index('notifications_instance_id_idx').on(t.instanceId),
    index('notifications_inbox_idx').on(t.recipientId, t.kind, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

/**
 * The projection of one instance, written by the workflow's `projectInstance` activity. `view` is
 * the instance view as the workflow last projected it; the columns beside it are for filtering.
 * `revision` grows with every write of the instance, so a late retry never overwrites a newer row.
 */
export const instances = pgTable(
  'instances',
  {
    instanceId: text('instance_id').primaryKey(),
    status: text('status').$type<InstanceStatus>().notNull(),
    flowCode: text('flow_code').notNull(),
    flowVersion: integer('flow_version').notNull(),
    businessKey: text('business_key').notNull(),
    initiatorId: text('initiator_id').notNull(),
    /** The app that started it (SPEC §7: an app sees its own instances); null for rows projected before it was kept. */
    appKey: text('app_key'),
    sourceSystem: text('source_system'),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    currentNodeIds: text('current_node_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    view: jsonb('view').$type<InstanceView>().notNull(),
    /** The highest timeline seq projected so far (-1: none). */
    lastEventSeq: integer('last_event_seq').notNull().default(-1),
    revision: integer('revision').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'string' }),
    projectedAt: timestamp('projected_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('instances_source_idx').on(t.sourceSystem, t.sourceType, t.sourceId, t.createdAt.desc().nullsFirst(), t.instanceId.desc().nullsFirst()),
    index('instances_initiator_idx').on(t.initiatorId, t.createdAt.desc().nullsFirst(), t.instanceId.desc().nullsFirst()),
    index('instances_app_key_idx').on(t.appKey, t.createdAt.desc().nullsFirst(), t.instanceId.desc().nullsFirst()),
    index('instances_status_idx').on(t.status, t.createdAt.desc().nullsFirst(), t.instanceId.desc().nullsFirst()),
  ],
);

/**
 * Every task of every instance (the task center). A task id is unique within its instance. The
 * todo list reads `tasks_assignee_idx` in its own order, so a page is an index range scan.
 */
export const tasks = pgTable(
  'tasks',
  {
    instanceId: text('instance_id').notNull(),
    taskId: text('task_id').notNull(),
    flowCode: text('flow_code').notNull(),
    nodeId: text('node_id').notNull(),
    nodeName: text('node_name'),
    assigneeId: text('assignee_id').notNull(),
    status: text('status').$type<TaskStatus>().notNull(),
    reason: text('reason'),
    title: text('title').notNull(),
    comment: text('comment'),
    delegatedFrom: text('delegated_from'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'string' }),
    revision: integer('revision').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.taskId] }),
    index('tasks_assignee_idx').on(t.assigneeId, t.status, t.createdAt.desc().nullsFirst(), t.instanceId.desc().nullsFirst(), t.taskId.desc().nullsFirst()),
    index('tasks_status_idx').on(t.status, t.createdAt.desc().nullsFirst(), t.instanceId.desc().nullsFirst(), t.taskId.desc().nullsFirst()),
  ],
);

/**
 * The audit log: one row per timeline event, append-only. The table is RANGE-partitioned by
 * month on `at` (see the migration and `ensureEventPartitions`), which is why `at` is part of the
 * key. An event's `at` never changes between retries, so (instance_id, seq) stays unique in effect.
 */
export const instanceEvents = pgTable(
  'instance_events',
  {
    instanceId: text('instance_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull(),
    actorId: text('actor_id'),
    taskId: text('task_id'),
    nodeId: text('node_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.seq, t.at] }), index('instance_events_data_idx').using('gin', sql`${t.data} jsonb_path_ops`)],
);

/** A request to an ERP (SPEC §8). `path` and `body` values may hold `{{…}}` templates. */
export interface ErpHttpOperation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

/** How we authenticate to an ERP; the secret parts are sealed by the SecretBox (AAD: the system code). */
export type StoredErpAuth = { type: 'hmac'; appKey: string; secretCiphertext: string } | { type: 'bearer'; tokenCiphertext: string } | { type: 'none' };

/** ERP systems registered by an admin app, for `service` nodes and write-back (SPEC §8). */
export const erpSystems = pgTable('erp_systems', {
  code: text('code').primaryKey(),
  name: text('name'),
  baseUrl: text('base_url').notNull(),
  auth: jsonb('auth').$type<StoredErpAuth>().notNull(),
  operations: jsonb('operations').$type<Record<string, ErpHttpOperation>>().notNull(),
  writeBack: jsonb('write_back').$type<ErpHttpOperation>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What the delivery log and the dead letters both keep of a webhook: which event went where, signed for which app. */
const sentWebhookColumns = () => ({
  eventType: text('event_type').notNull(),
  instanceId: text('instance_id').notNull(),
  appKey: text('app_key').notNull(),
  url: text('url').notNull(),
});

/** Every attempt to deliver a webhook: the delivery log. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull(),
    ...sentWebhookColumns(),
    /** Temporal's attempt number, or 0 for a replay from the dead-letter table. */
    attempt: integer('attempt').notNull(),
    /** delivered · retrying · rejected (a final 4xx) */
    outcome: text('outcome').$type<WebhookAttempt['outcome']>().notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [index('webhook_deliveries_event_id_idx').on(t.eventId), index('webhook_deliveries_instance_id_idx').on(t.instanceId, t.at)],
);

/** Webhooks that failed for good: kept with their body so they can be inspected and replayed. */
export const webhookDeadLetters = pgTable(
  'webhook_dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull().unique(),
    ...sentWebhookColumns(),
    body: jsonb('body').$type<Record<string, unknown>>().notNull(),
    lastError: text('last_error').notNull(),
    lastStatusCode: integer('last_status_code'),
    deadAt: timestamp('dead_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    /** Set once a replay was delivered; the row stays as a record. */
    replayedAt: timestamp('replayed_at', { withTimezone: true, mode: 'string' }),
    replayAttempts: integer('replay_attempts').notNull().default(0),
  },
  (t) => [index('webhook_dead_letters_app_key_idx').on(t.appKey, t.deadAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
);

export type NotificationState = 'pending' | 'sent' | 'failed' | 'skipped';

/**
 * creating: being delivered (written first, so a click that comes back before DingTalk has answered
 * finds its task) · delivered · closed: shows its final state · fallback: not deliverable, a work
 * notification went instead · failed
 */
export type CardState = 'creating' | 'delivered' | 'closed' | 'fallback' | 'failed';

/**
 * The DingTalk card of one task (SPEC §8): `outTrackId` is ours, one per task. `params` is what the
 * card shows as last sent, so an update that would change nothing is not sent.
 */
export const dingtalkCards = pgTable(
  'dingtalk_cards',
  {
    outTrackId: text('out_track_id').primaryKey(),
    instanceId: text('instance_id').notNull(),
    taskId: text('task_id').notNull(),
    nodeId: text('node_id').notNull(),
    /** Our user the card was delivered to, and their DingTalk userId at the time. */
    userId: text('user_id').notNull(),
    dingtalkUserId: text('dingtalk_user_id').notNull(),
    state: text('state').$type<CardState>().notNull(),
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('dingtalk_cards_instance_id_idx').on(t.instanceId, t.nodeId)],
);

/** The DingTalk 待办 of one task, created in its assignee's list and marked done when the task closes. */
export const dingtalkTodos = pgTable(
  'dingtalk_todos',
  {
    instanceId: text('instance_id').notNull(),
    taskId: text('task_id').notNull(),
    unionId: text('union_id').notNull(),
    /** Null while it is being created: DingTalk may have it (a crash before we saved its id); it is found by its sourceId. */
    todoId: text('todo_id'),
    done: boolean('done').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.taskId] })],
);

/** A user's session (SPEC §7): created by 免登 (or the sandbox's dev login); only the token's SHA-256 is kept. */
export const userSessions = pgTable(
  'user_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull(),
    /** dingtalk · dev */
    via: text('via').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('user_sessions_user_id_idx').on(t.userId)],
);
