import { z } from 'zod';
import { t } from '../base/i18n.js';
import { human, maxBytes, oneLine } from '../base/validate.js';

/**
 * The bodies a closing message (conclusions) and a welcome message's attachments share (wecom-provider-modes.md
 * §5.1, §5.3): a link card, a mini-program card, an image. One schema each, used by the client at the wire, by
 * the sandbox on what it receives and by the forms, so a limit is written once and reads the same everywhere.
 */

/** WeCom's limits, in UTF-8 bytes (a Chinese character is 3). */
export const MAX_LINK_TITLE_BYTES = 128;
export const MAX_LINK_DESC_BYTES = 512;
export const MAX_MINIPROGRAM_TITLE_BYTES = 64;
/** send_welcome_msg takes at most nine attachments. */
export const MAX_WELCOME_ATTACHMENTS = 9;

/** An http(s) URL a customer's WeChat can open: other schemes (javascript:, weixin:) are refused. */
export const webUrlSchema = oneLine(z.string().min(1).max(2048)).refine(
  (s) => {
    try {
      const url = new URL(s);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { params: human(t('must be an http:// or https:// address', '须为 http:// 或 https:// 开头的网址')) },
);

/** A non-empty one-line value we pass on as given (media ids, app ids). */
const token = () => oneLine(z.string().min(1).max(256));

export const linkBodySchema = z
  .object({
    title: oneLine(maxBytes(MAX_LINK_TITLE_BYTES)).pipe(z.string().min(1)),
    picurl: webUrlSchema.optional(),
    desc: oneLine(maxBytes(MAX_LINK_DESC_BYTES)).optional(),
    url: webUrlSchema,
  })
  .strict();
export type LinkBody = z.infer<typeof linkBodySchema>;

/** A mini-program's appid: `wx` and 16 letters or digits, as WeChat issues them. */
export const appIdSchema = z.string().refine((s) => /^wx[A-Za-z0-9]{16}$/.test(s), {
  params: human(
    t(
      'must be a mini-program appid (wx and 16 letters or digits)',
      '须为小程序 appid（wx 加 16 位字母或数字）',
    ),
  ),
});

export const miniprogramBodySchema = z
  .object({
    title: oneLine(maxBytes(MAX_MINIPROGRAM_TITLE_BYTES)).pipe(z.string().min(1)),
    pic_media_id: token(),
    appid: appIdSchema,
    page: token(),
  })
  .strict();
export type MiniprogramBody = z.infer<typeof miniprogramBodySchema>;

/** Closing messages take an image by media_id only. */
export const conclusionImageSchema = z.object({ media_id: token() }).strict();

/** A welcome image: a media_id, or a URL from media/uploadimg; with both, WeCom uses the media_id. */
export const welcomeImageSchema = z
  .object({ media_id: token().optional(), pic_url: webUrlSchema.optional() })
  .strict()
  .refine((i) => i.media_id !== undefined || i.pic_url !== undefined, {
    params: human(t('needs a media_id or a pic_url', '须有 media_id 或 pic_url')),
  });

/** One send_welcome_msg attachment: the body named by `msgtype`, and no other (strict objects). */
export const welcomeAttachmentSchema = z.discriminatedUnion('msgtype', [
  z.object({ msgtype: z.literal('image'), image: welcomeImageSchema }).strict(),
  z.object({ msgtype: z.literal('link'), link: linkBodySchema }).strict(),
  z.object({ msgtype: z.literal('miniprogram'), miniprogram: miniprogramBodySchema }).strict(),
]);
export type WelcomeAttachment = z.infer<typeof welcomeAttachmentSchema>;

export const welcomeAttachmentsSchema = z
  .array(welcomeAttachmentSchema)
  .refine((a) => a.length <= MAX_WELCOME_ATTACHMENTS, {
    params: human(
      t(
        `at most ${MAX_WELCOME_ATTACHMENTS} attachments per welcome message`,
        `欢迎语最多 ${MAX_WELCOME_ATTACHMENTS} 个附件`,
      ),
    ),
  });
