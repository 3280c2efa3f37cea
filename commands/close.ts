import { type Bilingual, t } from '../src/base/i18n.js';
import { outsideName } from '../src/base/text.js';
import { infoReply } from './replies.js';
import type { ArgSpec, Command } from './types.js';

/** `close`'s arguments; the End session button sends the same two (config_id, customer's external_userid). */
const args: ArgSpec[] = [
  {
    name: 'config_id',
    label: t('config_id of the QR the customer came through', '客户所扫二维码的 config_id'),
    required: true,
    word: t('config_id', '二维码'),
  },
  {
    name: 'customer',
    label: t(
      'Customer (name or external_userid) when the QR has several open sessions',
      '客户（姓名或 external_userid），当该二维码有多个进行中的会话时填写',
    ),
    required: false,
    word: t('customer', '客户'),
  },
];

/**
 * `close <config_id> [customer]`: ends a temporary session now; WeCom sends the closing message first. Only
 * the owner of the way the session came from, or an admin, may; `show <config_id>` lists its customers.
 * The old `close <userid> <external_userid>` still works (the service tells the two apart).
 */
export const close: Command = {
  name: 'close',
  summary: t('End a temporary session with a customer', '结束与客户的临时会话'),
  word: t('close', '结束会话'),
  args,

  async run(ctx, args) {
    const closed = await ctx.service.closeSession(ctx.requester, {
      configId: args.config_id ?? '',
      ...(args.customer ? { customer: args.customer } : {}),
    });
    const who = closed.name
      ? `${outsideName(closed.name)} (${closed.externalUserId})`
      : closed.externalUserId;
    const via: Bilingual = closed.configId
      ? t(` (contact way ${closed.configId})`, `（「联系我」${closed.configId}）`)
      : t('', '');
    return infoReply(
      t(
        `Ended the temporary session between ${closed.userid} and ${who}${via.en}.`,
        `已结束 ${closed.userid} 与 ${who} 的临时会话${via.zh}。`,
      ),
      ctx.locale,
    );
  },
};
