/**
 * The closing message's image (结束语 image, temp ways only): kept with the way by hash, sent as a media_id that
 * is never older than src/media allows, and uploaded again (with one retry) when WeCom answers 40007.
 */
import { ContactwayError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { CheckedImage, ImageMedia, ImageRef } from '../media/index.js';
import type { Attachment } from '../store/message-content.js';
import type { AddContactWayRequest, UpdateContactWayRequest } from '../wecom/schemas.js';

/** The bot was started without an image store: images cannot be kept, so none is accepted. */
export function imagesUnavailable(): ContactwayError {
  return new ContactwayError(
    'media.unavailable',
    t(
      'This bot cannot send images to WeCom (no image store is configured). Leave the image empty.',
      '本机器人无法向企业微信发送图片（未配置图片存储）。请不要附加图片。',
    ),
  );
}

type WithConclusions = AddContactWayRequest | UpdateContactWayRequest;

/** The request with `conclusions.image.media_id` set, the rest of the closing message as it was. */
export function withImage<R extends WithConclusions>(request: R, mediaId: string): R {
  return { ...request, conclusions: { ...request.conclusions, image: { media_id: mediaId } } };
}

/**
 * Sends `request` with the image behind `ref` (a fresh media_id; 40007 → upload again, retry once). Nothing is
 * sent when the image cannot be had: a way is never created or edited without the image its requester asked for.
 */
export function sendWithImage<R extends WithConclusions, T>(
  images: ImageMedia | undefined,
  ref: ImageRef,
  request: R,
  send: (request: R) => Promise<T>,
): Promise<T> {
  if (!images) throw imagesUnavailable();
  return images.withMediaId(ref.sha256, (mediaId) => send(withImage(request, mediaId)));
}

/** Keeps a newly attached image (bytes in the shared store) and returns what the way's record holds. */
export async function keepImage(images: ImageMedia | undefined, image: CheckedImage): Promise<ImageRef> {
  if (!images) throw imagesUnavailable();
  return images.keep(image);
}

/**
 * An earlier way's kept image, for a new way (`again`): its bytes kept on, and a welcome image uploaded now,
 * outside WeCom's 20 s, as a new one would be.
 */
export async function keepImageAgain(
  images: ImageMedia | undefined,
  ref: ImageRef,
  options: { welcome?: boolean } = {},
): Promise<ImageRef> {
  if (!images) throw imagesUnavailable();
  await images.keepAgain(ref, options);
  if (options.welcome) await images.mediaIdFor(ref.sha256);
  return ref;
}

/**
 * Keeps a welcome image and uploads it now, outside WeCom's 20 s: the first customer's welcome finds a fresh
 * media_id, and the refresh loop (src/media welcome-refresh) keeps it so. A failed upload stops the change.
 */
export async function keepWelcomeImage(
  images: ImageMedia | undefined,
  image: CheckedImage,
): Promise<ImageRef> {
  if (!images) throw imagesUnavailable();
  const ref = await images.keep(image, { welcome: true });
  await images.mediaIdFor(ref.sha256);
  return ref;
}

/**
 * The fresh media_id of a closing mini-program's cover when it is a file (MINIPROGRAMS pic_path): uploaded again
 * once older than src/media allows, so a closing message sent days after startup never carries a dead one.
 */
export async function coverMediaId(
  images: ImageMedia | undefined,
  card: Attachment | undefined,
): Promise<string | undefined> {
  if (card?.kind !== 'miniprogram' || !card.pic_image) return undefined;
  if (!images) throw imagesUnavailable();
  return images.mediaIdFor(card.pic_image);
}

/**
 * Sends `request` with its closing mini-program's cover (a file, MINIPROGRAMS pic_path) by a fresh media_id,
 * uploaded again and retried once when WeCom answers 40007, as the closing image is. Any other request as is.
 */
export function sendWithCover<R extends WithConclusions, T>(
  images: ImageMedia | undefined,
  card: Attachment | undefined,
  request: R,
  send: (request: R) => Promise<T>,
): Promise<T> {
  const miniprogram = request.conclusions?.miniprogram;
  if (card?.kind !== 'miniprogram' || !card.pic_image || !miniprogram) return send(request);
  if (!images) throw imagesUnavailable();
  return images.withMediaId(card.pic_image, (mediaId) =>
    send({
      ...request,
      conclusions: { ...request.conclusions, miniprogram: { ...miniprogram, pic_media_id: mediaId } },
    }),
  );
}
