import { fieldError } from '../../commands/field-check.js';
import type { FieldError, FormField, FormValues } from '../../commands/index.js';
import { type Locale, say, t } from '../../src/base/i18n.js';
import type { OpenForm } from '../../src/chat/port.js';
import type { Asking } from './completer.js';
import { INTERRUPT, type Typed } from './lines.js';
import { renderFieldPrompt, shownValue } from './render.js';
import { visible } from './visible.js';
import { displayWidth, padColumns } from './width.js';

/** How a console form is asked: the console's prompt, its next line (or Ctrl-C), its output. */
export interface FormTerminal {
  prompt(text: string, asking: Asking): void;
  next(): Promise<Typed>;
  write(text: string): void;
  locale: Locale;
}

/** How asking ended: every field has a value to submit, Ctrl-C, or the end of input. */
export type Asked = 'done' | 'cancelled' | 'ended';

const FILL = ['f', 'fill', '填'];

/**
 * A form just opened: its values shown, then one keystroke: Enter submits them as they are (every default),
 * `f` asks the fields one by one. Fields that cannot be left as they are (required and empty) are asked
 * either way. `values` is filled in place.
 */
export async function askOpened(term: FormTerminal, open: OpenForm, values: FormValues): Promise<Asked> {
  const { form } = open;
  const current = (f: FormField) => values[f.id] ?? open.prefill[f.id] ?? f.default;
  const labels = form.fields.map((f) => visible(f.label));
  const width = Math.max(0, ...labels.map(displayWidth));
  form.fields.forEach((f, i) => {
    term.write(`  ${padColumns(labels[i] ?? '', width)}  ${shownValue(f, current(f), term.locale)}\n`);
  });
  const choice = say(
    t(
      `Enter = ${form.submit} with these values · f = fill in the fields · Ctrl-C = cancel`,
      `回车 = 按以上取值${form.submit} · f = 逐项填写 · Ctrl-C = 取消`,
    ),
    term.locale,
  );
  for (;;) {
    term.prompt(`  ${visible(choice)}\n  > `, { kind: 'field', fieldKind: 'choice' });
    const typed = await term.next();
    if (typed === undefined) return 'ended';
    if (typed === INTERRUPT) return 'cancelled';
    const answer = typed.trim().toLowerCase();
    if (answer === '') {
      for (const f of form.fields) values[f.id] = current(f);
      // Only what has no usable value is asked: a required field left empty.
      const missing = form.fields.filter((f) => current(f) === '' && !f.optional);
      return askFields(term, open, values, missing);
    }
    if (FILL.includes(answer)) return askFields(term, open, values, form.fields);
    term.write(`  ${say(t('Press Enter, or type f.', '请直接回车，或输入 f。'), term.locale)}\n`);
  }
}

/**
 * Asks these fields one by one. Each answer is checked as soon as it is typed, with the check the
 * submission gets; a bad one is named by its label and asked again, alone. Enter keeps the field's value.
 */
export async function askFields(
  term: FormTerminal,
  open: OpenForm,
  values: FormValues,
  fields: readonly FormField[],
): Promise<Asked> {
  for (const field of fields) {
    for (;;) {
      term.prompt(renderFieldPrompt(field, term.locale), { kind: 'field', fieldKind: field.kind });
      const typed = await term.next();
      if (typed === undefined) return 'ended';
      if (typed === INTERRUPT) return 'cancelled';
      const answer = typed.trim();
      values[field.id] = answer === '' ? (open.prefill[field.id] ?? field.default) : answer;
      const error = fieldError(open.form, values, field.id, term.locale);
      if (error === undefined) break;
      term.write(`  ✗ ${visible(field.label)}: ${visible(error)}\n`);
    }
  }
  return 'done';
}

/** Errors the submission found (after every field passed alone): each by its field's label. */
export function fieldErrorLines(errors: readonly FieldError[], fields: readonly FormField[]): string {
  return errors
    .map((e) => {
      const label = fields.find((f) => f.id === e.field)?.label ?? e.field;
      return `  ✗ ${visible(label)}: ${visible(e.message)}\n`;
    })
    .join('');
}
