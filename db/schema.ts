import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { FlowDefinition } from '../engine/dsl';

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
    deptIds: text('dept_ids').array().notNull().default(sql`'{}'::text[]`),
    managerId: text('manager_id'),
    title: text('title'),
    roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
    dingtalkUserId: text('dingtalk_user_id'),
    erpUserId: text('erp_user_id'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('users_dingtalk_user_id_idx').on(t.dingtalkUserId), index('users_manager_id_idx').on(t.managerId)],
);

export const APP_PERMISSIONS = ['start', 'act_for', 'sync', 'admin'] as const;
export type AppPermission = (typeof APP_PERMISSIONS)[number];

/** Systems that call us with signed requests (SPEC §7). The secret is stored AES-256-GCM encrypted. */
export const apps = pgTable('apps', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  secretCiphertext: text('secret_ciphertext').notNull(),
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
    leaderIds: text('leader_ids').array().notNull().default(sql`'{}'::text[]`),
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
  },
  (t) => [index('notifications_recipient_id_created_at_idx').on(t.recipientId, t.createdAt), index('notifications_instance_id_idx').on(t.instanceId)],
);
