/**
 * Escapes the three characters Slack's mrkdwn treats as control characters. Remarks and states are typed by
 * people: without this, `<!channel>` in a remark would ping a whole channel.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
