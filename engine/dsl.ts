import { z } from 'zod';
import { CONDITION_OPS, type Condition } from './condition';
import { parseIsoDuration } from './duration';
import { MAX_DEFINITION_NODES, MAX_FORM_FIELDS } from './limits';

/**
 * The flow definition DSL (SPEC §4): start, approval, condition, cc, service, parallel / join, end.
 * Shape is checked here; graph rules (reachability, cycles, joins) in `validate-definition.ts`.
 */
const id = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, "_" or "-", starting with a letter or "_"');
const userId = z.string().min(1).max(64);
const duration = z.string().refine((text) => parseIsoDuration(text) !== null, 'must be an ISO 8601 duration such as PT24H or P3D (no years or months)');

export const formFieldSchema = z
  .object({
    key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be an identifier'),
    type: z.enum(['string', 'number', 'boolean', 'date']),
    label: z.string().optional(),
    required: z.boolean().optional(),
    /** The values a `string` field may take (a choice list); absent: any string. */
    options: z.array(z.string().min(1).max(128)).min(1).max(100).optional(),
  })
  .superRefine((field, ctx) => {
    const { options } = field;
    if (options === undefined) return;
    if (field.type !== 'string')
      ctx.addIssue({ code: 'custom', path: ['options'], message: `only a string field may have options (this one is ${field.type})` });
    const repeated = options.filter((option, i) => options.indexOf(option) !== i);
    if (repeated.length > 0) ctx.addIssue({ code: 'custom', path: ['options'], message: `must not repeat an option: ${[...new Set(repeated)].join(', ')}` });
  });

const levels = z.number().int().min(1).max(20);

export const approverSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('users'), ids: z.array(userId).min(1, 'needs at least one user id') }),
  z.object({ type: z.literal('role'), role: z.string().min(1).max(64) }),
  /** Leaders of the initiator's (first) department; `levels: 2` is its parent department's. */
  z.object({ type: z.literal('dept_leader'), levels: levels.optional() }),
  /** The reporting line: the first `levels` managers up (default 1), or every manager up to and including the first with `untilTitle`. */
  z
    .object({ type: z.literal('manager'), levels: levels.optional(), untilTitle: z.string().min(1).optional() })
    .refine((s) => s.levels === undefined || s.untilTitle === undefined, { message: 'give "levels" or "untilTitle", not both', path: ['untilTitle'] }),
  /** Chosen by the initiator in the start request, under `selectedApprovers[nodeId]`. */
  z.object({ type: z.literal('initiator_select'), multiple: z.boolean().optional() }),
  z.object({ type: z.literal('initiator') }),
]);

/** Recursive; its `id` names it in the OpenAPI document, which can only refer to a recursive schema by name. */
export const conditionSchema: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(conditionSchema).min(1) }),
      z.strictObject({ any: z.array(conditionSchema).min(1) }),
      z.strictObject({ not: conditionSchema }),
      z.strictObject({ field: z.string().min(1), op: z.enum(CONDITION_OPS), value: z.unknown().optional() }),
    ]),
  )
  .meta({ id: 'Condition', description: '{all: […]}, {any: […]}, {not: …} or a leaf {field, op, value}' });

export const timeoutSchema = z
  .object({
    remindAfter: duration.optional(),
    remindEvery: duration.optional(),
    actAfter: duration.optional(),
    action: z.enum(['approve', 'reject', 'escalate', 'to_admin']).optional(),
  })
  .refine((t) => (t.actAfter === undefined) === (t.action === undefined), {
    message: '"actAfter" and "action" go together',
    path: ['action'],
  })
  .refine((t) => t.remindEvery === undefined || t.remindAfter !== undefined, {
    message: '"remindEvery" needs "remindAfter"',
    path: ['remindEvery'],
  });

const name = z.string().max(128).optional();

const startNodeSchema = z.object({ id, type: z.literal('start'), name, next: id });
const endNodeSchema = z.object({ id, type: z.literal('end'), name });
const approvalNodeSchema = z
  .object({
    id,
    type: z.literal('approval'),
    name,
    approvers: approverSourceSchema,
    /** all 会签 · any 或签 · sequential 顺序签 · vote 票签 */
    mode: z.enum(['all', 'any', 'sequential', 'vote']),
    passRatio: z.number().gt(0).max(1).optional(),
    passCount: z.number().int().min(1).optional(),
    /** No active approver resolved. Default `reject`: nobody signs, nothing passes. */
    onEmpty: z.enum(['auto_approve', 'to_admin', 'reject']).optional(),
    /** An assignee who already approved earlier in this instance is auto-approved. Default true. */
    dedupe: z.boolean().optional(),
    /** The initiator resolved as an approver: acts on it (default), is auto-approved, or is replaced by their manager. */
    whenApproverIsInitiator: z.enum(['approve_self', 'auto_approve', 'to_manager']).optional(),
    timeout: timeoutSchema.optional(),
    next: id,
  })
  .refine((n) => n.mode !== 'vote' || (n.passRatio === undefined) !== (n.passCount === undefined), {
    message: 'a vote needs exactly one of "passRatio" or "passCount"',
    path: ['mode'],
  })
  .refine((n) => n.mode === 'vote' || (n.passRatio === undefined && n.passCount === undefined), {
    message: '"passRatio" / "passCount" apply to mode "vote" only',
    path: ['mode'],
  });
const conditionNodeSchema = z.object({
  id,
  type: z.literal('condition'),
  name,
  branches: z.array(z.object({ when: conditionSchema, next: id, name })).min(1, 'needs at least one branch'),
  default: id.optional(),
});
const ccNodeSchema = z.object({ id, type: z.literal('cc'), name, recipients: approverSourceSchema, next: id });
/** An operation of a registered ERP system (`POST /systems`). */
export const serviceCallSchema = z.object({
  system: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a registered system code'),
  operation: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'must be an operation name of the system'),
});
/** An ERP call; on success its `compensate` is registered, and run if the instance ends rejected, withdrawn or failed. */
const serviceNodeSchema = z.object({ id, type: z.literal('service'), name, call: serviceCallSchema, compensate: serviceCallSchema.optional(), next: id });
const parallelNodeSchema = z.object({
  id,
  type: z.literal('parallel'),
  name,
  branches: z.array(id).min(2, 'a fork needs at least two branches'),
});
const joinNodeSchema = z.object({ id, type: z.literal('join'), name, next: id });

export const nodeSchema = z.discriminatedUnion('type', [
  startNodeSchema,
  approvalNodeSchema,
  conditionNodeSchema,
  ccNodeSchema,
  serviceNodeSchema,
  parallelNodeSchema,
  joinNodeSchema,
  endNodeSchema,
]);

const lengthOf = (input: unknown) => (Array.isArray(input) ? input.length : '?');

export const flowDefinitionSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and "_", starting with a letter'),
  name: z.string().min(1),
  description: z.string().optional(),
  /** Flow admins: they receive `to_admin` tasks. Without any, users with role `approval_admin` do. */
  admins: z.array(userId).optional(),
  form: z
    .object({
      fields: z
        .array(formFieldSchema)
        .max(MAX_FORM_FIELDS, { error: (issue) => `has ${lengthOf(issue.input)} fields; at most ${MAX_FORM_FIELDS} are allowed` }),
    })
    .default({ fields: [] }),
  nodes: z
    .array(nodeSchema)
    .min(2, 'needs at least a start and an end node')
    .max(MAX_DEFINITION_NODES, { error: (issue) => `has ${lengthOf(issue.input)} nodes; at most ${MAX_DEFINITION_NODES} are allowed` }),
});

export type FormField = z.infer<typeof formFieldSchema>;
export type ApproverSource = z.infer<typeof approverSourceSchema>;
export type ApprovalTimeout = z.infer<typeof timeoutSchema>;
export type FlowNode = z.infer<typeof nodeSchema>;
export type ApprovalNode = z.infer<typeof approvalNodeSchema>;
export type ConditionNode = z.infer<typeof conditionNodeSchema>;
export type ServiceNode = z.infer<typeof serviceNodeSchema>;
export type ServiceCall = z.infer<typeof serviceCallSchema>;
export type NodeOfType<T extends FlowNode['type']> = Extract<FlowNode, { type: T }>;
export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;
export type FormValues = Record<string, unknown>;
export type ApprovalMode = ApprovalNode['mode'];
