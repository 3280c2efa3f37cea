import { t } from '../src/base/i18n.js';
import { infoReply } from './replies.js';
import type { Command } from './types.js';

/**
 * `sync` (admins): import contact ways WeCom lists that we have no record of (temp ways are never listed),
 * and customers of our ways the callback missed (batch/get_by_user, matched by state).
 */
export const sync: Command = {
  name: 'sync',
  summary: t(
    'Admins: import contact ways and customers WeCom knows and we do not',
    '管理员：导入企业微信中已有但本地没有记录的「联系我」及客户',
  ),
  word: t('sync', '同步'),
  changes: true,
  args: [],

  async run(ctx) {
    const { imported, known, customers } = await ctx.service.sync(ctx.requester);
    return infoReply(
      t(
        `Imported ${imported}; ${known} already known. Customers the callback missed: ${customers} recovered.`,
        `已导入 ${imported} 个；${known} 个已存在。回调遗漏的客户：已找回 ${customers} 位。`,
      ),
      ctx.locale,
    );
  },
};
