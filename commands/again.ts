import { formatDurationS } from '../src/base/duration.js';
import { ValidationError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import type { RecordView } from '../src/service/contact-way-service.js';
import { configIdArg, readConfigId } from './config-id-arg.js';
import { IMAGES_FROM } from './remove-images.js';
import { infoReply } from './replies.js';
import { cardValues } from './rich-fields.js';
import type { Command, FormOpening } from './types.js';
import { AGAIN_LABEL } from './way-life.js';

/**
 * `again <config_id>`: the temp form, prefilled from a temp way (typically one used or expired): the same
 * member, lifetimes, remark, state tag, closing and welcome messages (their images reused). Submitting it is `temp`: a new way, with
 * a new unique state suffix. Only the way's owner or an admin may (the service reads it as `show` does).
 */
export const again: Command<{ config_id: string }> = {
  name: 'again',
  summary: t(
    'New temporary QR like an earlier one (its form, prefilled)',
    '按已有的临时二维码新建一个（表单已预填）',
  ),
  word: t('again', '再建'),
  args: [configIdArg],

  async opens(ctx, args) {
    return openingOf(await ctx.service.way(ctx.requester, readConfigId(args)));
  },

  // Only where no form can open (a caller without a chat surface): says what the form would open with.
  async run(ctx, args) {
    const opening = openingOf(await ctx.service.way(ctx.requester, readConfigId(args)));
    return infoReply(AGAIN_LABEL, ctx.locale, [
      t(
        `Opens the temporary QR form for ${opening.args.user}, prefilled from ${args.config_id}.`,
        `打开 ${opening.args.user} 的临时会话二维码表单，按 ${args.config_id} 预填。`,
      ),
    ]);
  },
};

/** The temp form as the way was made: what temp's parseForm reads back into the same request. */
function openingOf(way: RecordView): FormOpening {
  const user = way.request.user?.[0];
  if (!way.isTemp || !user) {
    throw new ValidationError([
      {
        field: 'config_id',
        message: t(
          'is not a temporary QR: only those can be made again with `again`',
          '不是临时会话二维码：只有临时会话二维码可用 again 再建',
        ),
      },
    ]);
  }
  const r = way.request;
  const values: Record<string, string> = {};
  if (r.expires_in !== undefined) values.expires_in = formatDurationS(r.expires_in);
  if (r.chat_expires_in !== undefined) values.chat_expires_in = formatDurationS(r.chat_expires_in);
  if (r.remark) values.remark = r.remark;
  // The requester's tag, not WeCom's suffixed state: creation draws a new suffix.
  if (way.stateTag) values.state = way.stateTag;
  if (r.skip_verify !== undefined) values.skip_verify = String(r.skip_verify);
  const conclusions = r.conclusions?.text?.content;
  if (conclusions) values.conclusions = conclusions;
  if (way.welcome) values.welcome = way.welcome;
  if (r.unionid) values.unionid = r.unionid;
  // The cards as the form reads them back; a mini-program whose preset is gone is named, and refused then.
  for (const [id, text] of Object.entries(cardValues(way.closing, way.welcomeAttachments ?? []))) {
    if (text) values[id] = text;
  }
  // No platform prefills a file field: the images go by the way they are kept with, reused unless the form
  // attaches new ones or removes them (temp reads it; not a field, so it is never shown).
  if (way.closingImage || way.welcomeAttachments?.some((a) => a.kind === 'image')) {
    values[IMAGES_FROM] = way.configId;
  }
  return { command: 'temp', args: { user }, values };
}
