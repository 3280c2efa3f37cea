import { t } from '../src/i18n.js';
import { validate } from '../src/validate.js';
import { closeTempChatRequestSchema } from '../src/wecom/schemas.js';
import { infoReply } from './replies.js';
import type { Command } from './types.js';

/** `close <userid> <external_userid>`: ends a temporary session now; WeCom sends the closing message first. */
export const close: Command = {
  name: 'close',
  summary: t('End a temporary session with a customer', '结束与客户的临时会话'),
  word: t('close', '结束会话'),
  args: [
    { name: 'user', label: t('Member userid', '成员 userid'), required: true, word: t('user', '成员') },
    {
      name: 'external_user',
      label: t('Customer external_userid', '客户 external_userid'),
      required: true,
      word: t('external_user', '客户'),
    },
  ],

  async run(ctx, args) {
    const request = validate(
      closeTempChatRequestSchema,
      { userid: args.user, external_userid: args.external_user },
      (path) => (path[0] === 'userid' ? 'user' : 'external_user'),
    );
    await ctx.service.closeTempChat(ctx.requester, request);
    return infoReply(
      t(
        `Closed the temporary session between ${request.userid} and ${request.external_userid}.`,
        `已结束 ${request.userid} 与 ${request.external_userid} 的临时会话。`,
      ),
      ctx.locale,
    );
  },
};
