import { ContactwayError } from '../base/errors.js';
import { type Bilingual, t } from '../base/i18n.js';

/**
 * Why an image could not be used. Each has a stable code; the text tells the requester what to do. A file that
 * is not an acceptable image is a ValidationError on its field instead (image-check.ts).
 */
export type MediaErrorCode =
  | 'media.image_gone'
  | 'media.download_forbidden'
  | 'media.download_expired'
  | 'media.download_failed'
  | 'media.file_unreadable'
  | 'media.welcome_image_late';

export class MediaError extends ContactwayError {
  declare readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, human: Bilingual, options?: { cause?: unknown }) {
    super(code, human, options);
  }
}

/** The way's image bytes are no longer in the store (TTL passed, or the store was reset). */
export function imageGoneError(): MediaError {
  return new MediaError(
    'media.image_gone',
    t(
      'The image of this contact way is no longer kept, so it cannot be sent to WeCom again. Attach it again.',
      '该「联系我」的图片已不再保存，无法再次发送给企业微信。请重新附加图片。',
    ),
  );
}

/** The platform refused to give us the file: a missing permission of the bot, named by the adapter. */
export function downloadForbiddenError(missing: string): MediaError {
  return new MediaError(
    'media.download_forbidden',
    t(
      `The bot may not read the attached file: it lacks ${missing}. Ask whoever installed the bot to add it and reinstall, then attach the image again.`,
      `机器人无权读取附件：缺少 ${missing} 权限。请让安装机器人的人添加该权限并重新安装，然后重新附加图片。`,
    ),
  );
}

/** The file's link ran out (Discord's signed CDN URLs last about a day). */
export function downloadExpiredError(): MediaError {
  return new MediaError(
    'media.download_expired',
    t(
      'The attached file’s link has expired. Attach the image again and submit right away.',
      '附件链接已过期。请重新附加图片并立即提交。',
    ),
  );
}

/** The download failed for another reason (network, the platform answered an error). */
export function downloadFailedError(detail: string, cause?: unknown): MediaError {
  return new MediaError(
    'media.download_failed',
    t(
      `The attached file could not be downloaded (${detail}). Try again in a moment.`,
      `无法下载附件（${detail}）。请稍后重试。`,
    ),
    { cause },
  );
}

/** A console path that cannot be read. */
export function fileUnreadableError(path: string, cause?: unknown): MediaError {
  return new MediaError(
    'media.file_unreadable',
    t(`The file ${path} cannot be read. Check the path.`, `无法读取文件 ${path}，请检查路径。`),
    { cause },
  );
}

/**
 * A welcome message that was only an image, whose media_id the refresh had not renewed in time: nothing was
 * sent (an upload would not fit WeCom's 20 s). Said in the requester's notification.
 */
export function welcomeImageLateError(): MediaError {
  return new MediaError(
    'media.welcome_image_late',
    t(
      'The welcome image was not ready to send (its WeCom copy had expired and is renewed in the background), so no welcome message went out. Check the bot’s logs if this repeats.',
      '欢迎语图片尚未就绪（企业微信中的副本已过期，正在后台更新），因此未发送欢迎语。如反复出现，请查看机器人日志。',
    ),
  );
}
