import { ValidationError } from '../src/base/errors.js';
import { type Locale, say } from '../src/base/i18n.js';
import { checkSubmission, parseOptions, withPickedArgs } from './index.js';
import type { Form, FormValues } from './types.js';

/**
 * What is wrong with one field as it is typed, for platforms that ask field by field (the console): the
 * check a submission gets (src/chat/forms.ts), on the values so far with every other field at its default,
 * keeping only this field's error. Undefined: the field is fine (the submission is checked again anyway).
 */
export function fieldError(
  form: Form,
  values: FormValues,
  fieldId: string,
  locale: Locale,
): string | undefined {
  const all = { ...Object.fromEntries(form.fields.map((f) => [f.id, f.default])), ...values };
  try {
    const invocation = withPickedArgs(parseOptions(form.command, form.args), form, all);
    const checked = checkSubmission(invocation, all, locale);
    return checked.ok ? undefined : checked.errors.find((e) => e.field === fieldId)?.message;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const issue = error.issues.find((i) => i.field === fieldId);
    return issue ? say(issue.message, locale) : undefined;
  }
}
