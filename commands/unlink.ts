import { t } from '../src/base/i18n.js';
import { requesterKey } from '../src/store/index.js';
import { readChatUser } from './chat-user.js';
import { infoReply } from './replies.js';
import type { Command } from './types.js';

/** `unlink`: removes one's own stored link; `unlink <chat user>` (admins): anyone's. */
export const unlink: Command = {
  name: 'unlink',
  summary: t(
    'Remove your link to a WeCom userid; admins: unlink <chat user>',
    '解除你与企业微信 userid 的绑定；管理员：unlink <聊天用户>',
  ),
  word: t('unlink', '解绑'),
  args: [
    {
      name: 'who',
      label: t('The chat user to unlink (admins; default: you)', '要解绑的聊天用户（管理员；默认为你自己）'),
      required: false,
      word: t('who', '用户'),
    },
  ],

  async run(ctx, args) {
    const target = args.who ? readChatUser(args.who, ctx.requester, 'who') : ctx.requester;
    const { removed, seed } = await ctx.service.unlink(ctx.requester, target);
    const who = args.who ? requesterKey(target) : undefined;
    const title = removed
      ? who
        ? t(`Unlinked ${who} from ${removed}`, `已解除 ${who} 与 ${removed} 的绑定`)
        : t(`Unlinked you from ${removed}`, `已解除你与 ${removed} 的绑定`)
      : t('No stored link to remove', '没有可解除的绑定');
    // USER_MAP's entry is the seed and stays until the configuration changes.
    const body = seed
      ? [
          t(
            `USER_MAP still maps to ${seed}; only a change of USER_MAP and a restart removes that.`,
            `USER_MAP 中仍映射到 ${seed}；需修改 USER_MAP 并重启才能移除。`,
          ),
        ]
      : [];
    return infoReply(title, ctx.locale, body, removed ? 'ok' : 'info');
  },
};
