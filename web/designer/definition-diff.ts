import type { FlowDefinition, FlowNode, FormField } from '../../engine/dsl';

/**
 * What changed between two versions of a flow, as an admin reads it: flow settings, form fields
 * (matched by key), nodes (matched by id) added, removed, or changed field by field.
 */

export interface FieldChange {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

export type DefinitionChange =
  | { kind: 'flow'; changes: FieldChange[] }
  | { kind: 'field_added' | 'field_removed'; key: string; label?: string }
  | { kind: 'field_changed'; key: string; label?: string; changes: FieldChange[] }
  | { kind: 'node_added' | 'node_removed'; id: string; type: FlowNode['type']; name?: string }
  | { kind: 'node_changed'; id: string; type: FlowNode['type']; name?: string; changes: FieldChange[] };

/** Leaves of a JSON value by dotted path (`approvers.ids.0`), each as JSON text. */
function leaves(value: unknown, path: string, into: Map<string, string>): Map<string, string> {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => leaves(v, path ? `${path}.${i}` : String(i), into));
  else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0)
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, into);
  else into.set(path, JSON.stringify(value));
  return into;
}

export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths.filter((p) => a.get(p) !== b.get(p)).map((path) => ({ path, before: a.get(path), after: b.get(path) }));
}

const byKey = <T>(items: T[], key: (item: T) => string) => new Map(items.map((item) => [key(item), item] as const));

export function diffDefinitions(before: FlowDefinition, after: FlowDefinition): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  const settings = (d: FlowDefinition) => ({ code: d.code, name: d.name, description: d.description, admins: d.admins });
  const flow = fieldChanges(settings(before), settings(after));
  if (flow.length > 0) changes.push({ kind: 'flow', changes: flow });

  const label = (f: FormField) => (f.label !== undefined ? { label: f.label } : {});
  const fieldsBefore = byKey(before.form.fields, (f) => f.key);
  const fieldsAfter = byKey(after.form.fields, (f) => f.key);
  for (const [key, field] of fieldsBefore) if (!fieldsAfter.has(key)) changes.push({ kind: 'field_removed', key, ...label(field) });
  for (const [key, field] of fieldsAfter) {
    const old = fieldsBefore.get(key);
    if (!old) changes.push({ kind: 'field_added', key, ...label(field) });
    else {
      const fc = fieldChanges(old, field);
      if (fc.length > 0) changes.push({ kind: 'field_changed', key, ...label(field), changes: fc });
    }
  }
  const orderBefore = before.form.fields.map((f) => f.key).filter((k) => fieldsAfter.has(k));
  const orderAfter = after.form.fields.map((f) => f.key).filter((k) => fieldsBefore.has(k));
  if (orderBefore.join('\n') !== orderAfter.join('\n'))
    changes.push({ kind: 'flow', changes: [{ path: 'form.fields (order)', before: orderBefore.join(', '), after: orderAfter.join(', ') }] });

  const named = (n: FlowNode) => (n.name !== undefined ? { name: n.name } : {});
  const nodesBefore = byKey(before.nodes, (n) => n.id);
  const nodesAfter = byKey(after.nodes, (n) => n.id);
  for (const [id, node] of nodesBefore) if (!nodesAfter.has(id)) changes.push({ kind: 'node_removed', id, type: node.type, ...named(node) });
  for (const [id, node] of nodesAfter) {
    const old = nodesBefore.get(id);
    if (!old) changes.push({ kind: 'node_added', id, type: node.type, ...named(node) });
    else {
      const nc = fieldChanges(old, node);
      if (nc.length > 0) changes.push({ kind: 'node_changed', id, type: node.type, ...named(node), changes: nc });
    }
  }
  return changes;
}
