/**
 * Bounds on what callers may put into an approval, in one place: the DSL (engine/dsl.ts), the
 * workflow's action check (engine/action-check.ts), the API's request schemas (api/schemas) and the
 * H5 app's inputs all read them from here. The HTTP-level ones (body size, request rate) are in
 * api/limits.ts and config/index.ts.
 */

/** Nodes of one flow definition. Real flows have tens; every node is walked at publish and carried in each instance's state. */
export const MAX_DEFINITION_NODES = 200;

/** Fields of a form: those a definition declares, and the values a start, a resubmit or a preview sends. */
export const MAX_FORM_FIELDS = 200;

/**
 * A form's values as JSON, in UTF-8 bytes. The form travels in the workflow's start input, in each
 * resubmit update and in the state continue-as-new carries (Temporal refuses payloads over 2 MB and
 * warns from 512 KB), and it is stored in the instance row and answered in every instance view.
 */
export const MAX_FORM_BYTES = 64 * 1024;

/** Signers one add_signer (or remove_signer) names. */
export const MAX_SIGNERS_PER_ACTION = 20;

/** A comment on an action, in UTF-16 code units (what JavaScript's `length` and the textarea's `maxlength` count). */
export const MAX_COMMENT_LENGTH = 2000;

/** The UTF-8 length of `text` without Node's Buffer (the engine runs in the workflow sandbox too). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

export interface BoundProblem {
  field: string;
  message: string;
}

/** A form's size against MAX_FORM_FIELDS and MAX_FORM_BYTES; `field` names the form as the request does (`form`). */
export function formBoundProblems(form: Record<string, unknown>, field = 'form'): BoundProblem[] {
  const fields = Object.keys(form).length;
  if (fields > MAX_FORM_FIELDS) return [{ field, message: `has ${fields} fields; at most ${MAX_FORM_FIELDS} are allowed` }];
  const bytes = utf8ByteLength(JSON.stringify(form));
  if (bytes > MAX_FORM_BYTES) return [{ field, message: `is ${bytes} bytes as JSON; at most ${MAX_FORM_BYTES} bytes (64 KiB) are allowed` }];
  return [];
}
