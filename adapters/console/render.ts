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
  if (reply.actions.length > 0) {
    // The console's buttons are the commands they stand for: End session is `close <config_id> <customer>`.
    const hint = (a: Reply['actions'][number]) =>
      [a.kind, a.configId, ...(a.kind === 'close' && a.customer ? [a.customer] : [])].map(visible).join(' ');
    lines.push(`  → ${reply.actions.map(hint).join('   ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The prompt for one form field: label, help, and the default Enter accepts (an edit's default is stored text). */
export function renderFieldPrompt(field: FormField): string {
  const options = field.options ? ` (${field.options.map((o) => visible(o.value)).join('/')})` : '';
  const dflt = field.default === '' ? '' : ` [${visible(field.default)}]`;
  return `  ${visible(field.label)}${options}${dflt} — ${visible(field.help)}\n  > `;
}
