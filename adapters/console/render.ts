import type { FormField, Reply } from '../../commands/index.js';
import { visible, visibleLines } from './visible.js';

/**
 * A reply as terminal text: headline, facts aligned, body, hints for the actions. Pure. Every text in a reply
 * may carry something from outside (a stored remark, WeCom's answer, an echoed argument), so each is made
 * visible before it is printed; only the line breaks of `text` are kept.
 */
export function renderReply(reply: Reply): string {
  const mark = reply.status === 'error' ? '✗' : reply.status === 'ok' ? '✓' : '•';
  const lines = [`${mark} ${visible(reply.title)}`];
  const facts = reply.facts.map((f) => ({ label: visible(f.label), value: visible(f.value) }));
  const width = Math.max(0, ...facts.map((f) => f.label.length));
  for (const f of facts) lines.push(`  ${f.label.padEnd(width)}  ${f.value}`);
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

/** The prompt for one form field: label, help, and the default Enter accepts (an edit's default is stored text). */
export function renderFieldPrompt(field: FormField): string {
  const options = field.options ? ` (${field.options.map((o) => visible(o.value)).join('/')})` : '';
  const dflt = field.default === '' ? '' : ` [${visible(field.default)}]`;
  return `  ${visible(field.label)}${options}${dflt} — ${visible(field.help)}\n  > `;
}
