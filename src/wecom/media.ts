import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { t } from '../base/i18n.js';
import { human, oneLine, validate } from '../base/validate.js';
import { createWecomCaller, type WecomClientOptions } from './caller.js';

/** An image to upload: the bytes as they will be sent, with the name and type WeCom sees in the part. */
export interface MediaFile {
  bytes: Uint8Array;
  /** Shown by WeCom as the file's name; a plain name, no path. */
  filename: string;
  contentType: 'image/jpeg' | 'image/png';
}

/** media/upload's answer: a media_id valid for three days from `createdAtMs` (§5.1). */
export interface UploadedMedia {
  mediaId: string;
  /** When WeCom made it, from its `created_at` (seconds), in ms. */
  createdAtMs: number;
}

export interface MediaClient {
  /**
   * `POST /cgi-bin/media/upload?type=image`: multipart, one part named `media`. The media_id lasts three days
   * and belongs to this corp; use it in `conclusions.image.media_id` or a welcome image attachment.
   */
  uploadImage(file: MediaFile): Promise<UploadedMedia>;
}

const filenameSchema = oneLine(z.string().min(1).max(128)).refine((s) => !/["\\/]/.test(s), {
  params: human(t('must be a plain file name (no quotes or slashes)', '须为普通文件名（不含引号或斜杠）')),
});

const fileSchema = z.object({
  bytes: z.instanceof(Uint8Array),
  filename: filenameSchema,
  contentType: z.enum(['image/jpeg', 'image/png']),
});

const uploadResponseSchema = z.looseObject({
  errcode: z.number(),
  type: z.string().optional(),
  media_id: z.string().min(1),
  // WeCom documents a string of seconds; some answers carry a number. Either is read as seconds.
  created_at: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(Number),
});

/**
 * The multipart body WeCom's own sample sends: one part `media` with filename and filelength in its
 * Content-Disposition. Built by hand (not FormData) so the part carries `filelength` as the doc shows it.
 */
export function multipartBody(file: MediaFile, boundary: string): Uint8Array {
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="media"; filename="${file.filename}"; filelength=${file.bytes.length}\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(head, 'utf8'),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
}

/**
 * The 素材 client. An upload repeated after an HTTP 5xx costs only a spare media_id, so it is retried like a
 * read; the token, limiter and retries are those of every WeCom client of the corp (createWecomCaller).
 */
export function createMediaClient(options: WecomClientOptions): MediaClient {
  const caller = createWecomCaller(options, { component: 'wecom', safeToRepeat: () => true });
  return {
    async uploadImage(input) {
      const file = validate(fileSchema, input);
      const boundary = `----contactway${randomBytes(12).toString('hex')}`;
      const bytes = multipartBody(file, boundary);
      const answer = await caller.call(
        'media/upload',
        (token) => ({
          endpoint: 'media/upload',
          method: 'POST',
          path: '/cgi-bin/media/upload',
          query: { access_token: token, type: 'image' },
          raw: { contentType: `multipart/form-data; boundary=${boundary}`, bytes },
          secrets: [token],
        }),
        uploadResponseSchema,
      );
      return { mediaId: answer.media_id, createdAtMs: answer.created_at * 1000 };
    },
  };
}
