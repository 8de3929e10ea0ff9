import { z } from 'zod';
import { flowDefinitionSchema } from '../../engine/dsl';
import { formValues, key, timestamp } from './common';

/** Flow definitions (SPEC §4, §6): drafts, published versions, route preview. */

export const flowDefinition = flowDefinitionSchema.meta({ id: 'FlowDefinition', description: 'the SPEC §4 DSL; its problems answer 422 INVALID_DEFINITION' });

export const codeParams = z.object({ code: z.string().describe('the flow code') });
export const versionParams = z.object({
  code: z.string().describe('the flow code'),
  version: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'must be a positive integer')
    .describe('a published version'),
});

export const savedDraft = z
  .object({
    code: z.string(),
    name: z.string(),
    latestVersion: z.number().int().nullable().describe('the latest published version, null before the first'),
    draft: flowDefinition,
  })
  .meta({ id: 'SavedDraft' });

export const publishedAnswer = z.object({ code: z.string(), version: z.number().int() }).meta({ id: 'Published' });

export const definitionAnswer = z
  .object({
    code: z.string(),
    name: z.string(),
    latestVersion: z.number().int().nullable(),
    draft: flowDefinition,
    versions: z.array(z.object({ version: z.number().int(), publishedAt: timestamp })),
    updatedAt: timestamp,
  })
  .meta({ id: 'Definition' });

export const versionAnswer = z
  .object({ code: z.string(), version: z.number().int(), definition: flowDefinition, publishedAt: timestamp })
  .meta({ id: 'DefinitionVersion' });

export const previewBody = z
  .strictObject({
    initiatorId: key,
    form: formValues,
    selectedApprovers: z.record(z.string(), z.array(key)).optional(),
  })
  .meta({ id: 'PreviewRequest' });
export type PreviewBody = z.infer<typeof previewBody>;

const assignment = {
  userId: z.string(),
  delegatedFrom: z.string().optional(),
  substitutedFor: z.string().optional(),
};

export const routePreview = z
  .object({
    flowCode: z.string(),
    flowVersion: z.number().int(),
    nodes: z.array(
      z.object({
        nodeId: z.string(),
        type: z.enum(['start', 'approval', 'condition', 'cc', 'service', 'parallel', 'join', 'end']),
        name: z.string().optional(),
        mode: z.enum(['all', 'any', 'sequential', 'vote']).optional(),
        approvers: z.array(z.object({ ...assignment, autoApproved: z.enum(['dedupe', 'initiator']).optional() })).optional(),
        recipients: z.array(z.string()).optional(),
        whenEmpty: z.enum(['auto_approve', 'to_admin', 'reject']).optional().describe('no approver resolved: what onEmpty would do'),
      }),
    ),
  })
  .meta({ id: 'RoutePreview', description: 'the nodes a new instance would meet, in walk order, with the approvers the org gives today' });
