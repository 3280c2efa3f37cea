import { z } from 'zod';
import { oneLine } from '../base/validate.js';

/**
 * The image pieces of the seed's wire format: a welcome message's image attachment (send_welcome_msg,
 * §5.3). `conclusions.image` lives in schemas.ts with the rest of the contact way.
 */

/** WeCom's cap on a welcome message's attachments (41064 above it): written once, with the other bodies. */
export { MAX_WELCOME_ATTACHMENTS } from './attachment-schemas.js';

/** The attachment kinds WeCom knows; any other msgtype, or a body under another key, is 41065. */
export const WELCOME_MSGTYPES = ['image', 'link', 'miniprogram', 'video', 'file'] as const;

/**
 * `{msgtype: 'image', image: {media_id}}`. WeCom also takes `pic_url` (an uploadimg URL); media_id wins when
 * both are set. The bot sends media_id only: the image is uploaded before the 20 s window (src/media).
 */
export const welcomeImageAttachmentSchema = z
  .object({
    msgtype: z.literal('image'),
    image: z.object({ media_id: oneLine(z.string().min(1)) }).strict(),
  })
  .strict();
export type WelcomeImageAttachment = z.infer<typeof welcomeImageAttachmentSchema>;
