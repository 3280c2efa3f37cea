import { ContactwayError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import { type CheckedImage, checkImage } from '../src/media/index.js';
import type { CommandContext } from './types.js';

/**
 * The file a form's `image` field refers to, fetched through the platform (at submit time: Slack's private URL
 * and Discord's signed CDN link do not last) and checked against WeCom's rules before anything is created.
 * Any failure names the field, so the requester knows the image was the problem and nothing was made.
 */
export async function attachedImage(
  ctx: CommandContext,
  ref: string | undefined,
  field = 'image',
): Promise<CheckedImage | undefined> {
  if (!ref) return undefined;
  if (!ctx.files)
    throw new ContactwayError(
      'media.no_files',
      t(
        'This chat cannot attach files here; leave the image empty.',
        '此聊天平台无法在此附加文件，请不要填写图片。',
      ),
    );
  const file = await ctx.files(ref);
  return checkImage(file.bytes, field, file.name, file.tooLarge);
}
