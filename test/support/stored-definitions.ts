import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { demoFlow } from '../../db/seed-demo';
import type { FlowDefinition } from '../../engine/dsl';
import { stableJson } from '../../web/designer/stable-json';

/**
 * Every flow definition the repo keeps: the embedded demo's flow and the definition each
 * recorded history started with (test/fixtures/histories: real runs of every scenario the suite
 * records, from every generation). The designer must load and save each of them unchanged.
 */

const HISTORIES = path.resolve(__dirname, '../fixtures/histories');

interface RecordedHistory {
  events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: Array<{ data?: string }> } } }>;
}

function definitionOfHistory(file: string): FlowDefinition | undefined {
  const history = JSON.parse(readFileSync(file, 'utf8')) as RecordedHistory;
  const data = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  if (!data) return undefined;
  const input = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { definition?: FlowDefinition };
  return input.definition;
}

export interface StoredDefinition {
  /** Where it is kept: `db/seed-demo.ts` or the history file. */
  source: string;
  definition: FlowDefinition;
}

export function storedDefinitions(): StoredDefinition[] {
  const found: StoredDefinition[] = [{ source: 'db/seed-demo.ts', definition: demoFlow }];
  for (const generation of readdirSync(HISTORIES).sort()) {
    for (const file of readdirSync(path.join(HISTORIES, generation)).sort()) {
      if (!file.endsWith('.json')) continue;
      const definition = definitionOfHistory(path.join(HISTORIES, generation, file));
      if (definition) found.push({ source: `test/fixtures/histories/${generation}/${file}`, definition });
    }
  }
  const seen = new Set<string>();
  // Recordings of one scenario differ only in their random code: the shape counts once.
  return found.filter(({ definition }) => {
    const key = stableJson({ ...definition, code: '' });
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
