import { randomBytes } from 'node:crypto';
import { IMAGE_CONTENT_TYPES, imageKindOf, MAX_IMAGE_BYTES, MIN_IMAGE_BYTES } from '../media/image-kind.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { Rejection } from './wecom-reply.js';

/** "该media_id仅三天内有效" (media/upload, §5.1). */
export const MEDIA_TTL_MS = 3 * 24 * 3600 * 1000;

/** How the media_ids this sandbox hands out begin: a mini-program cover with one is checked too. */
export const SANDBOX_MEDIA_PREFIX = '3sandbox_';

/** One uploaded image: the bytes stay for pic_url after the media_id itself has expired. */
interface StoredMedia {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  createdAtMs: number;
  /** The corp whose token uploaded it: another corp's call answers 40007, as WeCom does (§5.4). */
  corpId: string;
}

/**
 * media/upload?type=image and the media_ids it hands out, on the sandbox clock: a media_id is usable for three
 * simulated days and answers 40007 after. Only images: the sandbox plays the one upload contactway makes.
 * Kept in memory only (a restarted sandbox has forgotten its media, as a real one would after three days).
 */
export class MediaStore {
  private readonly media = new Map<string, StoredMedia>();

  constructor(private readonly now: () => number) {}

  /** One upload: type from the query, the body's `media` part checked as WeCom checks it. */
  upload(
    corpId: string,
    type: string | null,
    contentType: string | undefined,
    body: Buffer,
  ): Record<string, unknown> {
    if (!type) throw new Rejection(40004, 'type missing');
    if (type !== 'image') throw new Rejection(40004, `the sandbox uploads type=image only, not ${type}`);
    const boundary = boundaryOf(contentType);
    if (!boundary) throw new Rejection(41005, 'media data missing: the body must be multipart/form-data');
    const part = parseMultipart(body, boundary).find((p) => p.name === 'media');
    if (!part || part.filename === undefined)
      throw new Rejection(41005, 'media data missing: no file part named media');
    if (part.bytes.length === 0) throw new Rejection(44001, 'empty media data');
    if (part.bytes.length < MIN_IMAGE_BYTES) throw new Rejection(40006, 'a file must be more than 5 bytes');
    if (part.bytes.length > MAX_IMAGE_BYTES) throw new Rejection(40006, 'an image must be at most 10 MB');
    if (part.filelength !== undefined && part.filelength !== part.bytes.length)
      throw new Rejection(40006, 'filelength does not match the part');
    const kind = imageKindOf(part.bytes);
    if (!kind) throw new Rejection(40005, 'an image must be JPG or PNG');
    const createdAtMs = this.now();
    const mediaId = `${SANDBOX_MEDIA_PREFIX}${randomBytes(18).toString('base64url')}`;
    this.media.set(mediaId, {
      bytes: part.bytes,
      contentType: IMAGE_CONTENT_TYPES[kind],
      createdAtMs,
      corpId,
    });
    return { type: 'image', media_id: mediaId, created_at: String(Math.floor(createdAtMs / 1000)) };
  }

  /** A media_id a corp gave to add/update_contact_way or send_welcome_msg: 40007 when unknown to it or expired. */
  check(mediaId: string, corpId: string): void {
    const media = this.media.get(mediaId);
    if (!media) throw new Rejection(40007, `media_id ${mediaId} unknown`);
    if (media.corpId !== corpId)
      throw new Rejection(40007, `media_id ${mediaId} was uploaded by another corp`);
    if (this.now() >= media.createdAtMs + MEDIA_TTL_MS)
      throw new Rejection(40007, `media_id ${mediaId} expired (media_ids last 3 days)`);
  }

  /** The picture behind a media_id, for pic_url, even after the media_id expired (WeCom keeps its copy). */
  picture(mediaId: string): { bytes: Buffer; contentType: string } | undefined {
    const media = this.media.get(mediaId);
    return media ? { bytes: media.bytes, contentType: media.contentType } : undefined;
  }
}
