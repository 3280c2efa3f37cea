import { CONTROL_CHARACTERS } from './validate.js';

/**
 * Cuts a text to at most `max` characters, marking the cut with `…`, so a long value never fails a whole
 * platform call. Walks code points, so an emoji or a rare CJK character is never split in two, and the
 * result fits `max` however it is counted: in code points (the platforms' APIs) or in UTF-16 units
 * (JavaScript `length`, which discord.js's own validators use).
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = '';
  for (const point of text) {
    if (cut.length + point.length > max - 1) break;
    cut += point;
  }
  return `${cut}…`;
}

/**
 * Cuts a text into pieces of at most `max` characters, for platforms that take a long text only as several
 * blocks (Slack sections, Discord embeds): nothing is lost. Each cut is at the last whitespace of a piece when
 * there is one in its second half, else between two code points; the whitespace at a cut is dropped.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    const space = rest.slice(0, cut + 1).search(/\s\S*$/);
    if (space > max / 2) cut = space;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/**
 * Text from outside (records from the store, WeCom's answers, what was typed, errors) with every control
 * character written out as `\uXXXX` (a line break as `\n`), so a terminal or a chat client shows it instead
 * of obeying it: `ESC[2J` in a remark must not clear an admin's screen, nor U+202E reverse what follows.
 */
export function visible(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) =>
    c === '\n' ? '\\n' : `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A name WeCom gives us (a customer's WeChat nickname), made inert for every platform before it enters a
 * reply or a notification: controls written out (`visible`), and `scheme://` broken by a zero-width space so
 * no client turns it into a link. Each adapter then escapes it as it escapes typed text (Slack mrkdwn,
 * Discord markdown and mentions). Nobody could refuse it at input, as typed text is refused.
 */
export function outsideName(name: string): string {
  return visible(name).replace(/:\/\//g, ':\u200b//');
}
