import {
  type FieldError,
  type Form,
  type FormValues,
  type Invocation,
  withPickedArgs,
} from '../../commands/index.js';
import { ValidationError } from '../base/errors.js';
import { type Locale, say } from '../base/i18n.js';

export type Picked = { ok: true; invocation: Invocation } | { ok: false; errors: FieldError[] };

/**
 * Completes an invocation with the arguments its form asked for (temp's member picker). A bad value, or a
 * member `refused` names (pre-flight: known to WeCom as ineligible), becomes an error under its field, so
 * Slack shows it in the open form and Discord offers to fix it, like any other invalid field.
 */
export function withPicked(
  invocation: Invocation,
  form: Form,
  values: FormValues,
  locale: Locale,
  refused: (complete: Invocation) => { human: { en: string; zh: string } } | undefined,
): Picked {
  let complete: Invocation;
  try {
    complete = withPickedArgs(invocation, form, values);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return {
      ok: false,
      errors: error.issues.map((i) => ({ field: i.field, message: say(i.message, locale) })),
    };
  }
  if (complete === invocation) return { ok: true, invocation };
  const refusal = refused(complete);
  if (refusal) {
    const field = form.fields.find((f) => f.kind === 'member')?.id ?? 'user';
    return { ok: false, errors: [{ field, message: say(refusal.human, locale) }] };
  }
  return { ok: true, invocation: complete };
}
