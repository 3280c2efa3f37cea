import { t } from '../src/base/i18n.js';
import { configIdArg, readConfigId } from './config-id-arg.js';
import { infoReply } from './replies.js';
import type { Command } from './types.js';

/** `delete <config_id>`: deletes it at WeCom and forgets it. */
export const deleteCommand: Command<{ config_id: string }> = {
  name: 'delete',
  summary: t('Delete a contact way', '删除「联系我」'),
  word: t('delete', '删除'),
  changes: true,
  args: [configIdArg],

  async run(ctx, args) {
    const configId = readConfigId(args);
    await ctx.service.delete(ctx.requester, configId);
    return infoReply(
      t(`Deleted ${configId}. Its QR no longer works.`, `已删除 ${configId}，其二维码已失效。`),
      ctx.locale,
    );
  },
};
