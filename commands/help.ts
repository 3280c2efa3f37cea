import { type Bilingual, t } from '../src/base/i18n.js';
import { infoReply } from './replies.js';
import type { AnyCommand, Command, NoArgs } from './types.js';

/** `help`: every command with its arguments. Built from the registry so it never goes stale. */
export function helpCommand(all: () => readonly AnyCommand[]): Command<NoArgs> {
  return {
    name: 'help',
    summary: t('Show this help', '显示本帮助'),
    word: t('help', '帮助'),
    args: [],
    async run(ctx) {
      const lines: Bilingual[] = all().map((c) => {
        const args = c.args.map((a) => `<${a.name}>`).join(' ');
        const usage = `/contactway ${c.name}${args ? ` ${args}` : ''}`;
        return t(`${usage} — ${c.summary.en}`, `${usage} — ${c.summary.zh}`);
      });
      lines.push(t('Durations: 7d, 24h, 90m or seconds.', '时长写法：7d、24h、90m 或秒数。'));
      return infoReply(
        t('contactway: WeCom 「联系我」 QR codes', 'contactway：企业微信「联系我」二维码'),
        ctx.locale,
        lines,
        'info',
      );
    },
  };
}
