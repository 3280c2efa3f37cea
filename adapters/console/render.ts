import { readBoolean } from '../../commands/form-values.js';
import type { FormField, Reply } from '../../commands/index.js';
import { type Locale, say, t } from '../../src/base/i18n.js';
import { visible, visibleLines } from './visible.js';
import { displayWidth, padColumns } from './width.js';

/**
 * A reply as terminal text: headline, facts aligned, body, hints for the actions. Pure. Every text in a reply
 * may carry something from outside (a stored remark, WeCom's answer, an echoed argument), so each is made
 * visible before it is printed; only the line breaks of `text` are kept.
 */
export function renderReply(reply: Reply): string {
  const mark = reply.status === 'error' ? '✗' : reply.status === 'ok' ? '✓' : '•';
  const lines = [`${mark} ${visible(reply.title)}`];
  const facts = reply.facts.map((f) => ({ label: visible(f.label), value: visible(f.value) }));
  // Columns, not characters: a Chinese label is twice as wide as its length.
  const width = Math.max(0, ...facts.map((f) => displayWidth(f.label)));
  for (const f of facts) lines.push(`  ${padColumns(f.label, width)}  ${f.value}`);
  for (const e of reply.fieldErrors ?? []) lines.push(`  - ${visible(e.field)}: ${visible(e.message)}`);
  if (reply.text) lines.push(...visibleLines(reply.text).map((l) => `  ${l}`));
  if (reply.actions.length > 0)
    lines.push(`  → ${reply.actions.map((a) => visible(actionHint(a))).join('   ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * What the person types to click a button: the command it stands for (`close <config_id> <customer>`), so
 * it reads as what it does; `keep <config_id>` answers No to a question.
 */
export function actionHint(action: Reply['actions'][number]): string {
  return [
    action.kind,
    action.configId,
    ...(action.kind === 'close' && action.customer ? [action.customer] : []),
  ].join(' ');
}

/** The prompt for one form field: label, help, and the value Enter keeps (a default, or an edit's stored text). */
export function renderFieldPrompt(field: FormField, locale: Locale): string {
  const options =
    field.kind === 'boolean'
      ? ` (${say(t('y/n', '是/否'), locale)})`
      : field.options
        ? ` (${field.options.map((o) => visible(o.value)).join('/')})`
        : '';
  const dflt = field.default === '' ? '' : ` [${shownValue(field, field.default, locale)}]`;
  return `  ${visible(field.label)}${options}${dflt} — ${visible(field.help)}
  > `;
}

/** A field's value as a person reads it: yes/no for a boolean (not true/false), a dash for nothing. */
export function shownValue(field: FormField, value: string, locale: Locale): string {
  if (value === '') return '—';
  if (field.kind === 'boolean') {
    const yes = readBoolean(value);
    if (yes !== undefined) return say(yes ? t('yes', '是') : t('no', '否'), locale);
  }
  return visible(value);
}
