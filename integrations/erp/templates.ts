import type { TemplateContext } from '../../engine/template-context';

/**
 * `{{…}}` templates in the `path` and `body` of an ERP operation (SPEC §8). Pure string and
 * object work: a template only ever looks a value up in the context, nothing is evaluated.
 *
 * Known templates: `{{form.FIELD}}`, `{{instance.id}}`, `{{businessKey}}`, `{{source.id}}`,
 * `{{source.type}}`, `{{source.system}}`, `{{status}}`; whitespace inside the braces is allowed
 * (`{{ form.amount }}`). Text that is not a known template is left as it is.
 */

/** One unknown template found in a value: where (keys and indexes below the value) and its text. */
export interface TemplateIssue {
  path: Array<string | number>;
  /** The template as written, normalised to `{{name}}`. */
  template: string;
  message: string;
}

/**
 * `{{ name }}` anywhere in a string; the name is what lies between the braces, trimmed in code
 * (a regex with `\s*` around a lazy group backtracks cubically on `{{` and a long run of spaces).
 */
const TEMPLATE = /\{\{([^{}]*)\}\}/g;
/** A string that is exactly one template (nothing around it). */
const WHOLE_TEMPLATE = /^\{\{([^{}]*)\}\}$/;
const FORM_FIELD = /^form\.([A-Za-z_][A-Za-z0-9_]{0,63})$/;
const PLAIN_NAMES = new Set(['instance.id', 'businessKey', 'status', 'source.id', 'source.type', 'source.system']);

export function isKnownTemplate(name: string): boolean {
  return PLAIN_NAMES.has(name) || FORM_FIELD.test(name);
}

/** The referenced value: `found: false` when the context lacks it (a missing form field, no source). */
type Lookup = { known: false } | { known: true; found: false } | { known: true; found: true; value: unknown };

function lookup(name: string, ctx: TemplateContext): Lookup {
  const field = FORM_FIELD.exec(name)?.[1];
  if (field !== undefined) {
    return Object.hasOwn(ctx.form, field) && ctx.form[field] !== undefined
      ? { known: true, found: true, value: ctx.form[field] }
      : { known: true, found: false };
  }
  switch (name) {
    case 'instance.id':
      return { known: true, found: true, value: ctx.instance.id };
    case 'businessKey':
      return { known: true, found: true, value: ctx.businessKey };
    case 'status':
      return { known: true, found: true, value: ctx.status };
    case 'source.id':
    case 'source.type':
    case 'source.system': {
      if (!ctx.source) return { known: true, found: false };
      const key = name === 'source.id' ? 'id' : name === 'source.type' ? 'type' : 'system';
      return { known: true, found: true, value: ctx.source[key] };
    }
    default:
      return { known: false };
  }
}

/** A value as text inside a larger string: strings as they are, null/missing as '', objects as JSON. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function interpolate(text: string, ctx: TemplateContext, encode: (s: string) => string): string {
  return text.replace(TEMPLATE, (whole, inner: string) => {
    const found = lookup(inner.trim(), ctx);
    if (!found.known) return whole;
    return found.found ? encode(asText(found.value)) : '';
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function collectIssues(value: unknown, path: Array<string | number>, into: TemplateIssue[]): void {
  if (typeof value === 'string') {
    for (const match of value.matchAll(TEMPLATE)) {
      const name = (match[1] ?? '').trim();
      if (!isKnownTemplate(name)) into.push({ path, template: `{{${name}}}`, message: `unknown template {{${name}}}` });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectIssues(item, [...path, i], into));
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) collectIssues(item, [...path, key], into);
  }
}

/** Every unknown template in `value` (strings at any depth; object keys are not templated). */
export function templateIssues(value: unknown): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  collectIssues(value, [], issues);
  return issues;
}

/**
 * Unknown templates in `value`, each as `where.sub.path: unknown template {{name}}` — for
 * validating an operation when it is registered.
 */
export function templateProblems(value: unknown, where: string): string[] {
  return templateIssues(value).map((issue) => `${[where, ...issue.path.map(String)].filter((p) => p !== '').join('.')}: ${issue.message}`);
}

/** The path with every template replaced by its value, URI-component encoded; missing → ''. */
export function renderPath(path: string, ctx: TemplateContext): string {
  return interpolate(path, ctx, encodeURIComponent);
}

/**
 * Renders templates at any depth of `body`. A string that is exactly one template becomes the
 * referenced value with its JSON type (a number stays a number; a missing form field is null);
 * a string mixing text and templates interpolates them (missing → ''). Returns a new value.
 */
export function renderBody(body: unknown, ctx: TemplateContext): unknown {
  if (typeof body === 'string') {
    const name = WHOLE_TEMPLATE.exec(body)?.[1]?.trim();
    if (name !== undefined) {
      const found = lookup(name, ctx);
      if (!found.known) return body;
      if (!found.found) return null;
      return found.value !== null && typeof found.value === 'object' ? structuredClone(found.value) : found.value;
    }
    return interpolate(body, ctx, (s) => s);
  }
  if (Array.isArray(body)) return body.map((item) => renderBody(item, ctx));
  // fromEntries defines own properties, so a "__proto__" key stays data and never a prototype.
  if (isPlainObject(body)) return Object.fromEntries(Object.entries(body).map(([key, item]) => [key, renderBody(item, ctx)]));
  return body;
}
