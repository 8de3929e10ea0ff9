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
    revision: z.string().describe('the draft’s revision: send it as `If-Match` with the next save or publish to refuse overwriting a draft saved since'),
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
    revision: z.string().describe('the draft’s revision, for `If-Match` on the next save or publish'),
  })
  .meta({ id: 'Definition' });

export const versionAnswer = z
  .object({ code: z.string(), version: z.number().int(), definition: flowDefinition, publishedAt: timestamp })
  .meta({ id: 'DefinitionVersion' });

export const definitionList = z
  .object({
    items: z.array(
      z.object({
        code: z.string(),
        name: z.string().describe('the draft’s name'),
        latestVersion: z.number().int().nullable().describe('null before the first publish'),
        updatedAt: timestamp.describe('when the draft was last saved'),
        publishedAt: timestamp.nullable().describe('when the latest version was published'),
        draftChanged: z.boolean().describe('the draft differs from the latest version, or was never published'),
      }),
    ),
  })
  .meta({ id: 'DefinitionList', description: 'by name, then code; a user sees the flows they may design' });

const definitionProblem = z
  .object({ nodeId: z.string().nullable().describe('null: a problem of the definition as a whole'), field: z.string(), message: z.string() })
  .meta({ id: 'DefinitionProblem' });

export const definitionCheck = z
  .object({ valid: z.boolean(), problems: z.array(definitionProblem).describe('what publishing would answer as 422 INVALID_DEFINITION') })
  .meta({ id: 'DefinitionCheck' });

const previewFields = {
  initiatorId: key,
  form: formValues,
  selectedApprovers: z.record(z.string(), z.array(key)).optional(),
};

export const previewBody = z.strictObject(previewFields).meta({ id: 'PreviewRequest' });
export type PreviewBody = z.infer<typeof previewBody>;

export const draftPreviewBody = z
  .strictObject({ definition: flowDefinition, ...previewFields })
  .meta({ id: 'DraftPreviewRequest', description: 'a definition not saved yet (its problems answer 422 INVALID_DEFINITION), an initiator and a form' });

/** What the handler checks first of a draft preview: all but the definition, whose problems answer 422. */
export const draftPreviewInput = z.strictObject({
  definition: z.unknown().refine((definition) => definition !== undefined, 'is required'),
  ...previewFields,
});

const assignment = {
  userId: z.string(),
  delegatedFrom: z.string().optional(),
  substitutedFor: z.string().optional(),
};

const previewedNodes = z
  .array(
    z.object({
      nodeId: z.string(),
      type: z.enum(['start', 'approval', 'condition', 'cc', 'service', 'parallel', 'join', 'end']),
      name: z.string().optional(),
      mode: z.enum(['all', 'any', 'sequential', 'vote']).optional(),
      approvers: z.array(z.object({ ...assignment, autoApproved: z.enum(['dedupe', 'initiator']).optional() })).optional(),
      recipients: z.array(z.string()).optional(),
      whenEmpty: z.enum(['auto_approve', 'to_admin', 'reject']).optional().describe('no approver resolved: what onEmpty would do'),
    }),
  )
  .meta({ id: 'PreviewedNodes', description: 'the nodes a new instance would meet, in walk order, with the approvers the org gives today' });

export const routePreview = z.object({ flowCode: z.string(), flowVersion: z.number().int(), nodes: previewedNodes }).meta({ id: 'RoutePreview' });

export const draftRoutePreview = z.object({ flowCode: z.string(), nodes: previewedNodes }).meta({ id: 'DraftRoutePreview' });
