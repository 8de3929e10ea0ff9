import type { z } from 'zod';
import { flowDefinitionSchema, type FlowDefinition } from './dsl';
import type { DefinitionProblem } from './definition-errors';
import { validateDefinitionGraph } from './validate-definition';

export type ParseResult = { ok: true; definition: FlowDefinition } | { ok: false; problems: DefinitionProblem[] };

/** Turns zod's issue paths (`nodes.2.approvers.ids`) into node-and-field problems. */
function toProblems(input: unknown, issues: z.core.$ZodIssue[]): DefinitionProblem[] {
  const nodes = (input as { nodes?: unknown } | null)?.nodes;
  return issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head === 'nodes' && typeof index === 'number' && Array.isArray(nodes)) {
      const raw = nodes[index] as { id?: unknown } | undefined;
      const nodeId = typeof raw?.id === 'string' ? raw.id : `#${index}`;
      return { nodeId, field: rest.join('.') || 'node', message: issue.message };
    }
    return { nodeId: null, field: issue.path.join('.') || '(root)', message: issue.message };
  });
}

/** Shape only: what a draft must satisfy to be saved. */
export function parseDefinitionShape(input: unknown): ParseResult {
  const parsed = flowDefinitionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: toProblems(input, parsed.error.issues) };
  return { ok: true, definition: parsed.data };
}

/** Shape and graph: what a definition must satisfy to be published. */
export function parseDefinitionForPublish(input: unknown): ParseResult {
  const shape = parseDefinitionShape(input);
  if (!shape.ok) return shape;
  const problems = validateDefinitionGraph(shape.definition);
  return problems.length > 0 ? { ok: false, problems } : shape;
}
