import type { FieldError, Form } from '../../commands/index.js';

/**
 * Turns validation errors into `response_action: "errors"`, keyed by block_id (= field id). An error on
 * something that is not a field of the form (a command argument such as temp's `user`) is shown under the
 * first field, naming what is wrong: Slack can only show errors under input blocks, and the person must
 * see why the form cannot be sent. Pure.
 */
export function errorsByBlock(errors: FieldError[], form: Form): Record<string, string> {
  const ids = new Set(form.fields.map((f) => f.id));
  const first = form.fields[0]?.id;
  const out: Record<string, string> = {};
  for (const error of errors) {
    const onField = ids.has(error.field);
    const block = onField ? error.field : first;
    if (block === undefined) continue;
    const message = onField ? error.message : `${error.field}: ${error.message}`;
    out[block] = out[block] ? `${out[block]} · ${message}` : message;
  }
  return out;
}
