import { createHash } from 'node:crypto';
import type Keyv from 'keyv';
import { z } from 'zod';
import { currentCorp } from '../base/corp-scope.js';
import { WecomError } from '../base/errors.js';
import { type Logger, silentLogger } from '../base/logger.js';
import { storeCall } from '../base/store-call.js';
import type { MediaClient } from '../wecom/media.js';
import { imageGoneError } from './errors.js';
import type { CheckedImage } from './image-check.js';

/** "该media_id仅三天内有效" (§5.1). */
export const MEDIA_ID_LIFETIME_MS = 3 * 24 * 3600 * 1000;
/** A media_id older than this is replaced before use: half a day of margin for clocks and slow paths. */
export const DEFAULT_MAX_MEDIA_AGE_MS = 2.5 * 24 * 3600 * 1000;
/** How long kept image bytes live unless kept again: past any temp way (14 d QR + 14 d session) with room. */
export const DEFAULT_IMAGE_TTL_MS = 60 * 24 * 3600 * 1000;

/**
 * Keys in the shared Keyv (see src/store/keys.ts for the other families):
 * `img:{sha256}` → the image (base64), `imgid:{sha256}` → its latest media_id (`imgid:{corp}:{sha256}` in a
 * provider mode: a media_id belongs to the corp whose token uploaded it, §5.4; the bytes stay shared),
 * `imgw:{sha256}` → `1` for the images a welcome message uses (refreshed ahead of time, never uploaded inside
 * WeCom's 20 s).
 */
export const IMAGE_PREFIX = 'img:';
export const MEDIA_ID_PREFIX = 'imgid:';
export const WELCOME_IMAGE_PREFIX = 'imgw:';

/** What a way's record keeps of its image: the hash finds the bytes; the rest is for showing it back. */
export const imageRefSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  filename: z.string().min(1).max(128),
  contentType: z.enum(['image/jpeg', 'image/png']),
  size: z.number().int().positive(),
});
export type ImageRef = z.infer<typeof imageRefSchema>;

const keptSchema = imageRefSchema.extend({ base64: z.string().min(1) });
const mediaIdSchema = z.object({ mediaId: z.string().min(1), createdAtMs: z.number() });

export interface ImageMediaOptions {
  /** The shared store: bytes kept here reach every instance, so any of them can re-upload. */
  store: Keyv;
  upload: MediaClient['uploadImage'];
  now?: () => number;
  logger?: Logger;
  /** Reuse a media_id up to this age; default 2.5 days. */
  maxAgeMs?: number;
  imageTtlMs?: number;
}

export interface ImageMedia {
  /** Keeps a checked image under its hash (idempotent); the ref goes into the way's record. */
  keep(image: CheckedImage, options?: { welcome?: boolean }): Promise<ImageRef>;
  /**
   * Keeps an already kept image for one more way (`again`): its bytes live on from now, as if kept again.
   * Throws imageGoneError when they are no longer there.
   */
  keepAgain(ref: ImageRef, options?: { welcome?: boolean }): Promise<ImageRef>;
  /** A media_id for the kept image: the stored one while younger than maxAge, else a fresh upload. */
  mediaIdFor(sha256: string, options?: { force?: boolean }): Promise<string>;
  /**
   * Runs `use` with a media_id; if WeCom answers 40007 (expired, or unknown to this corp) the image is uploaded
   * again and `use` runs once more. A second 40007 is final.
   */
  withMediaId<T>(sha256: string, use: (mediaId: string) => Promise<T>): Promise<T>;
  /**
   * For send_welcome_msg inside its 20 s: the stored media_id if it is still valid for a minute more, without
   * ever uploading (undefined otherwise: the welcome goes without its image and the refresh is late).
   */
  welcomeMediaId(sha256: string): Promise<string | undefined>;
  /**
   * Keeps every still kept welcome image (bytes and marker) for another image TTL from now: a permanent way's
   * welcome must not lose its picture after 60 days. Returns the hashes still kept; a marker whose bytes are
   * gone is dropped.
   */
  renewWelcomeImages(hashes: Iterable<string>): Promise<string[]>;
  /** Re-uploads every welcome image whose media_id (in the current corp) is older than maxAge; run it periodically. */
  refreshWelcomeImages(hashes: Iterable<string>): Promise<{ refreshed: number; failed: number }>;
}

/** sha256 of the bytes, hex: the image's name in the store, so the same picture is kept once. */
export function imageHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What a way's record keeps of a checked image, before it is kept: lets limits be checked first. */
export function imageRefOf(image: CheckedImage): ImageRef {
  return {
    sha256: imageHash(image.bytes),
    filename: image.filename,
    contentType: image.contentType,
    size: image.bytes.length,
  };
}

/**
 * Keeps images and their media_ids. WeCom's media_id dies after three days, so the bytes are kept and a
 * media_id is reused only while young; an edit or a resend after that uploads again (§5.1).
 */
export function createImageMedia(options: ImageMediaOptions): ImageMedia {
  const { store, upload } = options;
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger()).child({ component: 'media' });
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_MEDIA_AGE_MS;
  const imageTtlMs = options.imageTtlMs ?? DEFAULT_IMAGE_TTL_MS;
  // One upload per image at a time in this process: ten edits at once must not make ten media_ids.
  const inFlight = new Map<string, Promise<string>>();

  // Self-built: no corp, the key unchanged (existing stores keep their media_ids).
  const mediaIdKey = (sha256: string) => {
    const corp = currentCorp();
    return corp ? `${MEDIA_ID_PREFIX}${corp}:${sha256}` : `${MEDIA_ID_PREFIX}${sha256}`;
  };

  async function stored(sha256: string) {
    const raw = await storeCall(() => store.get(mediaIdKey(sha256)));
    const parsed = mediaIdSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  async function uploadAgain(sha256: string): Promise<string> {
    const raw = await storeCall(() => store.get(`${IMAGE_PREFIX}${sha256}`));
    const kept = keptSchema.safeParse(raw);
    if (!kept.success) throw imageGoneError();
    const { mediaId, createdAtMs } = await upload({
      bytes: Buffer.from(kept.data.base64, 'base64'),
      filename: kept.data.filename,
      contentType: kept.data.contentType,
    });
    // Our clock, not WeCom's created_at, decides freshness: a skewed server clock must not keep a dead id.
    const at = Math.min(now(), createdAtMs);
    await storeCall(() => store.set(mediaIdKey(sha256), { mediaId, createdAtMs: at }, MEDIA_ID_LIFETIME_MS));
    logger.info({ image: sha256.slice(0, 12) }, 'image uploaded to WeCom');
    return mediaId;
  }

  async function mediaIdFor(sha256: string, opts: { force?: boolean } = {}): Promise<string> {
    if (!opts.force) {
      const known = await stored(sha256);
      if (known && now() - known.createdAtMs < maxAgeMs) return known.mediaId;
    }
    const key = mediaIdKey(sha256);
    const pending = inFlight.get(key);
    if (pending) return pending;
    const started = uploadAgain(sha256).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  return {
    async keep(image, opts = {}) {
      const ref = imageRefOf(image);
      const { sha256 } = ref;
      await storeCall(() =>
        store.set(`${IMAGE_PREFIX}${sha256}`, { ...ref, base64: image.bytes.toString('base64') }, imageTtlMs),
      );
      if (opts.welcome) await storeCall(() => store.set(`${WELCOME_IMAGE_PREFIX}${sha256}`, 1, imageTtlMs));
      return ref;
    },

    async keepAgain(ref, opts = {}) {
      const { sha256 } = ref;
      const kept = keptSchema.safeParse(await storeCall(() => store.get(`${IMAGE_PREFIX}${sha256}`)));
      if (!kept.success) throw imageGoneError();
      await storeCall(() => store.set(`${IMAGE_PREFIX}${sha256}`, kept.data, imageTtlMs));
      if (opts.welcome) await storeCall(() => store.set(`${WELCOME_IMAGE_PREFIX}${sha256}`, 1, imageTtlMs));
      return ref;
    },

    mediaIdFor,

    async withMediaId(sha256, use) {
      const first = await mediaIdFor(sha256);
      try {
        return await use(first);
      } catch (error) {
        if (!(error instanceof WecomError && error.errcode === 40007)) throw error;
        logger.info({ image: sha256.slice(0, 12) }, 'media_id refused (40007); uploading again, once');
        return use(await mediaIdFor(sha256, { force: true }));
      }
    },

    async welcomeMediaId(sha256) {
      const known = await stored(sha256);
      if (known && now() - known.createdAtMs < MEDIA_ID_LIFETIME_MS - 60_000) return known.mediaId;
      logger.warn({ image: sha256.slice(0, 12) }, 'welcome image has no fresh media_id; refresh is late');
      return undefined;
    },

    async renewWelcomeImages(hashes) {
      const kept: string[] = [];
      for (const sha256 of hashes) {
        const bytes = keptSchema.safeParse(await storeCall(() => store.get(`${IMAGE_PREFIX}${sha256}`)));
        if (!bytes.success) {
          await storeCall(() => store.delete(`${WELCOME_IMAGE_PREFIX}${sha256}`));
          continue;
        }
        await storeCall(() => store.set(`${IMAGE_PREFIX}${sha256}`, bytes.data, imageTtlMs));
        await storeCall(() => store.set(`${WELCOME_IMAGE_PREFIX}${sha256}`, 1, imageTtlMs));
        kept.push(sha256);
      }
      return kept;
    },

    async refreshWelcomeImages(hashes) {
      let refreshed = 0;
      let failed = 0;
      for (const sha256 of hashes) {
        try {
          const known = await stored(sha256);
          if (known && now() - known.createdAtMs < maxAgeMs) continue;
          await mediaIdFor(sha256, { force: true });
          refreshed += 1;
        } catch (error) {
          failed += 1;
          logger.warn({ err: error, image: sha256.slice(0, 12) }, 'welcome image refresh failed');
        }
      }
      return { refreshed, failed };
    },
  };
}
