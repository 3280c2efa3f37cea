/** Cuts a text to Slack's limit for a field, marking the cut, so a long label never fails a whole API call. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters. Remarks and states are typed by
 * people: without this, `<!channel>` in a remark would ping a whole channel.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
