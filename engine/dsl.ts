import { z } from 'zod';

/**
 * The flow definition DSL (SPEC §4) — the subset the engine runs today:
 * start → approval (`users`, mode `any`) → … → end. Node types and modes are added here first,
 * then given semantics in `instance.ts`.
 */
const id = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, "_" or "-", starting with a letter or "_"');

export const formFieldSchema = z.object({
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be an identifier'),
  type: z.enum(['string', 'number', 'boolean', 'date']),
  label: z.string().optional(),
  required: z.boolean().optional(),
});

export const approverSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('users'), ids: z.array(z.string().min(1)).min(1, 'needs at least one user id') }),
]);

const startNodeSchema = z.object({ id, type: z.literal('start'), name: z.string().optional(), next: id });
const endNodeSchema = z.object({ id, type: z.literal('end'), name: z.string().optional() });
const approvalNodeSchema = z.object({
  id,
  type: z.literal('approval'),
  name: z.string().optional(),
  approvers: approverSourceSchema,
  mode: z.literal('any'),
  /** What happens when no active approver resolves. Default `reject`: nobody signs, nothing passes. */
  onEmpty: z.enum(['auto_approve', 'reject']).optional(),
  next: id,
});

export const nodeSchema = z.discriminatedUnion('type', [startNodeSchema, approvalNodeSchema, endNodeSchema]);

export const flowDefinitionSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and "_", starting with a letter'),
  name: z.string().min(1),
  description: z.string().optional(),
  form: z.object({ fields: z.array(formFieldSchema) }).default({ fields: [] }),
  nodes: z.array(nodeSchema).min(2, 'needs at least a start and an end node'),
});

export type FormField = z.infer<typeof formFieldSchema>;
export type ApproverSource = z.infer<typeof approverSourceSchema>;
export type FlowNode = z.infer<typeof nodeSchema>;
export type ApprovalNode = z.infer<typeof approvalNodeSchema>;
export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;
export type FormValues = Record<string, unknown>;
