import { type Bilingual, t } from '../src/i18n.js';
import type { CreateResult } from '../src/service/contact-way-service.js';
import { recordReply } from './replies.js';
import type { CommandContext, Reply } from './types.js';

/** The reply after a creation; warns loudly, with the config_id, when it could not be saved. */
export function createdReply(ctx: CommandContext, result: CreateResult, title: Bilingual): Reply {
  const { record } = result;
  const warning = t(
    `WARNING: the contact way was created but could not be saved. Copy this config_id now: ${record.configId}`,
    `警告：「联系我」已创建但未能保存。请立即复制此 config_id：${record.configId}`,
  );
  return recordReply(ctx, record, result.qr, title, result.stored ? [] : [warning]);
}
