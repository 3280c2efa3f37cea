import { t } from '../src/base/i18n.js';
import { wayUsage } from '../src/service/way-usage.js';
import { configIdArg, readConfigId } from './config-id-arg.js';
import { customerLines } from './customer-lines.js';
import { recordReply } from './replies.js';
import type { Command } from './types.js';

/** `show <config_id>`: the contact way as WeCom knows it now, merged with our record, its QR and its customers. */
export const show: Command = {
  name: 'show',
  summary: t('Show a contact way and its QR again', '查看「联系我」并再次显示二维码'),
  word: t('show', '查看'),
  args: [configIdArg],

  async run(ctx, args) {
    const { record, live, qr, customers } = await ctx.service.show(ctx.requester, readConfigId(args));
    const merged = live ? { ...record, qrCode: live.qr_code ?? record.qrCode } : record;
    const gone = live
      ? []
      : [
          t(
            'WeCom no longer knows this contact way (expired or deleted there).',
            '企业微信已找不到该「联系我」（已过期或已被删除）。',
          ),
        ];
    const { usedBy } = wayUsage(record, customers);
    const title = usedBy
      ? t('Contact way (used)', '「联系我」（已使用）')
      : merged.expired
        ? t('Contact way (expired)', '「联系我」（已过期）')
        : t('Contact way', '「联系我」');
    // A used temp way is gone from WeCom as a matter of course: that it is used says it all.
    const lines = usedBy ? [] : gone;
    return recordReply(
      ctx,
      merged,
      qr,
      title,
      [...lines, ...customerLines(customers, Date.now(), ctx)],
      usedBy,
    );
  },
};
