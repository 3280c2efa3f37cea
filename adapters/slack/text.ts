/**
 * Escapes text from outside (remarks, states, a customer's nickname from WeCom) for Slack's mrkdwn: `&`, `<`
 * and `>`, so `<!channel>` in a remark does not ping a whole channel, and the formatting characters `*`, `_`,
 * `~` and `` ` `` where Slack would read them as markup (at the edge of a word: `*boss*`). mrkdwn has no
 * escape for those, and a zero-width space next to them is Slack's way to *force* formatting mid-word, so
 * they become their look-alikes (∗ ＿ ∼ ˋ). Inside a word (`config_id`, `wm_abc`) they are kept as they are,
 * so ids copy back exactly. Links and mentions Slack would detect on its own are off in every text object
 * (`verbatim`, render-reply.ts).
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, (c, at: number, all: string) =>
      inWord(all[at - 1]) && inWord(all[at + 1]) ? c : (LOOK_ALIKE[c] ?? c),
    );
}

const LOOK_ALIKE: Record<string, string> = { '*': '∗', _: '＿', '~': '∼', '`': 'ˋ' };

function inWord(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}
