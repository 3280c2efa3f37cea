import type { FormField, Reply } from '../../commands/index.js';

/** A reply as terminal text: headline, facts aligned, body, hints for the actions. Pure. */
export function renderReply(reply: Reply): string {
  const mark = reply.status === 'error' ? '✗' : reply.status === 'ok' ? '✓' : '•';
  const lines = [`${mark} ${reply.title}`];
  const width = Math.max(0, ...reply.facts.map((f) => f.label.length));
  for (const f of reply.facts) lines.push(`  ${f.label.padEnd(width)}  ${f.value}`);
  for (const e of reply.fieldErrors ?? []) lines.push(`  - ${e.field}: ${e.message}`);
  if (reply.text) lines.push(...reply.text.split('\n').map((l) => `  ${l}`));
  if (reply.actions.length > 0) {
    lines.push(`  → ${reply.actions.map((a) => `${a.kind} ${a.configId}`).join('   ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The prompt for one form field: label, help, and the default Enter accepts. */
export function renderFieldPrompt(field: FormField): string {
  const options = field.options ? ` (${field.options.map((o) => o.value).join('/')})` : '';
  const dflt = field.default === '' ? '' : ` [${field.default}]`;
  return `  ${field.label}${options}${dflt} — ${field.help}\n  > `;
}
