import type { FormField, FormValues } from './dsl';

export interface FormProblem {
  field: string;
  message: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function typeProblem(field: FormField, value: unknown): string | undefined {
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'must be an ISO 8601 date';
  }
}

function optionProblem(field: FormField, value: unknown): string | undefined {
  if (field.options === undefined || (typeof value === 'string' && field.options.includes(value))) return undefined;
  return `must be one of: ${field.options.join(', ')}`;
}

/** Checks a start request's form against the flow's declared fields: types, choices, and required ones present. */
export function validateForm(fields: FormField[], form: FormValues): FormProblem[] {
  const problems: FormProblem[] = [];
  for (const field of fields) {
    const value = form[field.key];
    if (value === undefined || value === null) {
      if (field.required) problems.push({ field: `form.${field.key}`, message: 'is required' });
      continue;
    }
    const problem = typeProblem(field, value) ?? optionProblem(field, value);
    if (problem) problems.push({ field: `form.${field.key}`, message: problem });
  }
  return problems;
}
