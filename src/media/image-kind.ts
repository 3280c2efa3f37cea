/**
 * WeCom's image rules for media/upload?type=image (wecom-provider-modes §5.1): JPG or PNG, more than 5 bytes,
 * at most 10 MB. Both our own check (src/media/image-check.ts) and the sandbox's read them from here, so the
 * bot refuses exactly what WeCom would.
 */
export const MIN_IMAGE_BYTES = 6;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

export type ImageKind = 'jpg' | 'png';

export const IMAGE_CONTENT_TYPES: Readonly<Record<ImageKind, 'image/jpeg' | 'image/png'>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * What the bytes are, by their magic number, not by a file name or a declared type: a platform's type
 * filter is "for convenience only" (Slack's own words), and a renamed PDF must not reach WeCom.
 */
export function imageKindOf(bytes: Uint8Array): ImageKind | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  return undefined;
}
