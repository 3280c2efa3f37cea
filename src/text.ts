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
