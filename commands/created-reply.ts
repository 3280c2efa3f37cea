import { type Bilingual, t } from '../src/base/i18n.js';
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
  const state = record.request.state;
  // The requester typed a tag and WeCom got more: say why, or the suffix reads like a mistake.
  const suffixed =
    record.stateTag && state && state !== record.stateTag
      ? [
          t(
            `State sent to WeCom: ${state} (your tag plus a unique suffix: customers of this QR are told apart from every other QR's).`,
            `发送给企业微信的渠道参数：${state}（你的标识加唯一后缀，使此二维码的客户与其他二维码的客户区分开）。`,
          ),
        ]
      : [];
  return recordReply(ctx, record, result.qr, title, [...(result.stored ? [] : [warning]), ...suffixed]);
}
