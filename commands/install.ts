import { formatDurationS } from '../src/base/duration.js';
import { t } from '../src/base/i18n.js';
import { infoReply } from './replies.js';
import type { Command, NoArgs } from './types.js';

/**
 * `install` (admins, provider modes): a one-time link to WeCom's install page. The corp its admin installs
 * into is bound to the workspace the command came from, and the admin is told here when it is.
 */
export const install: Command<NoArgs> = {
  name: 'install',
  summary: t(
    'Admins: install the app into a WeCom corp and bind it to this workspace',
    '管理员：将应用安装到企业微信企业，并绑定到本工作区',
  ),
  word: t('install', '安装'),
  args: [],

  async run(ctx) {
    const { url, expiresInS } = await ctx.service.installLink(ctx.requester, ctx.locale);
    const life = formatDurationS(Math.max(60, expiresInS));
    const reply = infoReply(
      t('Install contactway into your WeCom corp', '将 contactway 安装到你的企业微信企业'),
      ctx.locale,
      [
        t(
          `A corp admin opens this link within ${life} and authorizes the app; the corp is then bound to this workspace and you are told here. The link works once.`,
          `请企业管理员在 ${life} 内打开此链接并授权应用；随后该企业将绑定到本工作区，并在此通知你。链接仅可使用一次。`,
        ),
      ],
      'info',
    );
    return { ...reply, facts: [{ label: ctx.locale === 'zh' ? '安装链接' : 'Install link', value: url }] };
  },
};
