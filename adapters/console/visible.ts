import { CONTROL_CHARACTERS } from '../../src/validate.js';

/**
 * Text from outside (records from the store, WeCom's answers, what was typed, errors) with every control
 * character written out as `\uXXXX` (a line break as `\n`), so a terminal shows it instead of obeying it:
 * `ESC[2J` in a remark must not clear an admin's screen, nor U+202E reverse what follows.
 */
export function visible(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) =>
    c === '\n' ? '\\n' : `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** Several lines of text from outside: each line made visible, the line breaks kept. */
export function visibleLines(text: string): string[] {
  return text.split('\n').map(visible);
}
