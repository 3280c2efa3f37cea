/**
 * Cuts a text to `max` characters, counted in code points (an emoji is one, and is never split in two),
 * marking the cut with `…`, so a long label never fails a whole platform API call.
 */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
