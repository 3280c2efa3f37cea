import { t } from '../src/base/i18n.js';
import { validate } from '../src/base/validate.js';
import { requesterKey } from '../src/store/index.js';
import { userIdSchema } from '../src/wecom/schemas.js';
import { readChatUser } from './chat-user.js';
import { infoReply } from './replies.js';
import type { Command } from './types.js';

/**
 * `link <userid>`: asks the admins to link the requester to that WeCom member (an admin is linked at once);
 * `link <chat user> <userid>` (admins): links someone directly. A link lets `temp` omit the userid and is
 * what CREATE_FOR=mapped allows; it overrides USER_MAP's entry for the same chat user.
 */
export const link: Command = {
  name: 'link',
  summary: t(
    'Link yourself to your WeCom userid (an admin approves); admins: link <chat user> <userid>',
    '将自己绑定到企业微信 userid（管理员批准）；管理员：link <聊天用户> <userid>',
  ),
  word: t('link', '绑定'),
  args: [
    {
      name: 'user',
      label: t(
        'Your WeCom userid (admins: the chat user to link, @someone or platform:workspace:user)',
        '你的企业微信 userid（管理员：要绑定的聊天用户，@某人 或 平台:工作区:用户）',
      ),
      required: true,
      word: t('user', '成员'),
    },
    {
      name: 'userid',
      label: t(
        'The WeCom userid, when the first is a chat user (admins)',
        '企业微信 userid，当第一项为聊天用户时（管理员）',
      ),
      required: false,
      word: t('userid', '账号'),
    },
  ],

  async run(ctx, args) {
    const first = args.user ?? '';
    if (args.userid) {
      const target = readChatUser(first, ctx.requester, 'user');
      const userid = validate(userIdSchema, args.userid, () => 'userid');
      await ctx.service.linkUser(ctx.requester, target, userid);
      const who = requesterKey(target);
      return infoReply(t(`Linked ${who} to ${userid}`, `已将 ${who} 绑定到 ${userid}`), ctx.locale);
    }
    const userid = validate(userIdSchema, first, () => 'user');
    const outcome = await ctx.service.requestLink(ctx.requester, userid);
    switch (outcome.kind) {
      case 'already':
        return infoReply(
          t(`You are already linked to ${userid}`, `你已绑定 ${userid}`),
          ctx.locale,
          [],
          'info',
        );
      case 'linked':
        return infoReply(t(`Linked you to ${userid}`, `已将你绑定到 ${userid}`), ctx.locale);
      case 'asked':
        return infoReply(
          t('Asked the admins', '已请求管理员'),
          ctx.locale,
          [
            outcome.told > 0
              ? t(
                  `Asked the admins to link you to ${userid}; you will be told when one answers.`,
                  `已请管理员将你绑定到 ${userid}，处理后会通知你。`,
                )
              : t(
                  `Your request to be linked to ${userid} is stored, but no admin could be reached here: ask one to run \`link ${requesterKey(ctx.requester)} ${userid}\`.`,
                  `你绑定 ${userid} 的请求已保存，但此处无法通知到管理员：请联系管理员执行 \`link ${requesterKey(ctx.requester)} ${userid}\`。`,
                ),
          ],
          'info',
        );
    }
  },
};
