import { ValidationError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import {
  IMAGE_CONTENT_TYPES,
  type ImageKind,
  imageKindOf,
  MAX_IMAGE_BYTES,
  MIN_IMAGE_BYTES,
} from './image-kind.js';

/** An image that passed our own check: what WeCom's media/upload?type=image will accept. */
export interface CheckedImage {
  bytes: Buffer;
  kind: ImageKind;
  contentType: 'image/jpeg' | 'image/png';
  /** A plain name to show and to send in the multipart part; derived from the kind when the source had none. */
  filename: string;
}

/** `10485760` → `10 MB`, `1536` → `1.5 KB`: sizes as a requester reads them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${trim(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KB`;
  return `${bytes} B`;
}

const trim = (n: number) => (Math.round(n * 10) / 10).toString();

/**
 * Checks an attached file against WeCom's image rules ourselves, before any upload: the platforms' type filters
 * are a convenience, not a guarantee. A failure is a ValidationError on `field`, saying the limit broken and what
 * the file was, in English and Chinese.
 */
export function checkImage(
  bytes: Uint8Array,
  field: string,
  sourceName?: string,
  tooLarge?: { size?: number },
): CheckedImage {
  const fail = (en: string, zh: string): never => {
    throw new ValidationError([{ field, message: t(en, zh) }]);
  };
  // A download cut short at the limit: its size as the host declared it, or only that it was more.
  if (tooLarge) {
    const size = tooLarge.size;
    fail(
      `must be at most 10 MB (WeCom's image limit); this file is ${size ? formatBytes(size) : 'larger'}`,
      `不能超过 10 MB（企业微信图片上限）；该文件${size ? `为 ${formatBytes(size)}` : '更大'}`,
    );
  }
  if (bytes.length < MIN_IMAGE_BYTES)
    fail(
      `must be an image of more than 5 bytes; this file has ${bytes.length}`,
      `须为大于 5 字节的图片；该文件只有 ${bytes.length} 字节`,
    );
  if (bytes.length > MAX_IMAGE_BYTES)
    fail(
      `must be at most 10 MB (WeCom's image limit); this file is ${formatBytes(bytes.length)}`,
      `不能超过 10 MB（企业微信图片上限）；该文件为 ${formatBytes(bytes.length)}`,
    );
  const kind = imageKindOf(bytes);
  if (!kind)
    return fail(
      'must be a JPG or PNG image (WeCom accepts no other); this file is not one',
      '须为 JPG 或 PNG 图片（企业微信只接受这两种）；该文件不是',
    );
  return {
    bytes: Buffer.from(bytes),
    kind,
    contentType: IMAGE_CONTENT_TYPES[kind],
    filename: plainName(sourceName, kind),
  };
}

/** The source's base name with the extension its bytes deserve; `image.png` when it has none worth keeping. */
function plainName(sourceName: string | undefined, kind: ImageKind): string {
  const base = (sourceName ?? '')
    .split(/[\\/]/)
    .pop()
    ?.replace(/\.[^.]*$/, '')
    .replace(/[^\p{L}\p{N}_ .-]/gu, '')
    .trim()
    .slice(0, 100);
  return `${base || 'image'}.${kind}`;
}
