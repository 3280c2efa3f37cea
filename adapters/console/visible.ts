import { visible } from '../../src/base/text.js';

export { visible };

/** Several lines of text from outside: each line made visible, the line breaks kept. */
export function visibleLines(text: string): string[] {
  return text.split('\n').map(visible);
}
