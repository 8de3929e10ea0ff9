import type { ScenarioRow } from './scenarios';

const COLUMNS: Array<[string, (r: ScenarioRow) => string | number]> = [
  ['scenario', (r) => r.scenario],
  ['instances', (r) => r.instances],
  ['actions', (r) => r.actions],
  ['faults injected', (r) => `${r.faults} (${r.faultNote})`],
  ['wrong final states', (r) => r.wrongFinalStates],
  ['lost side effects', (r) => r.lostSideEffects],
  ['duplicated side effects', (r) => r.duplicatedSideEffects],
  ['drift', (r) => r.drift],
  ['orphan tasks', (r) => r.orphanTasks],
  ['500s', (r) => r.internalErrors],
  ['worker crashes', (r) => r.crashes],
  ['webhook redeliveries (deduped by eventId)', (r) => r.redeliveries],
  ['tasks done before their card went out', (r) => r.undelivered],
];

/** The scenario table as Markdown, as the closing notes and the README quote it. */
export function formatTable(rows: ScenarioRow[], scale: string): string {
  const lines = [
    `Fault suite (${scale}), ${new Date().toISOString()}`,
    '',
    `| ${COLUMNS.map(([name]) => name).join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i === 0 || i === 3 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${COLUMNS.map(([, value]) => String(value(row))).join(' | ')} |`),
  ];
  return lines.join('\n');
}
