import type Keyv from 'keyv';
import type { Logger } from '../base/logger.js';
import { type ImageMedia, WELCOME_IMAGE_PREFIX } from './image-media.js';

/** Twice a day: a media_id is replaced at 2.5 days, so every image is refreshed well before its 3 days end. */
export const DEFAULT_WELCOME_REFRESH_MS = 12 * 3600 * 1000;

/**
 * Keeps every welcome image's media_id fresh in the background. A welcome message must go out within 20 s of
 * the customer's add (41050 after), too short to download and upload an image: the welcome path only reads
 * the stored media_id (`ImageMedia.welcomeMediaId`) and this loop is what makes it exist.
 */
export function startWelcomeImageRefresh(options: {
  media: ImageMedia;
  store: Keyv;
  /** Lists logical keys by prefix (src/store's scanKeys); passed in so media does not depend on the store. */
  scanKeys: (store: Keyv, prefix: string) => Promise<string[]>;
  logger: Logger;
  intervalMs?: number;
}): { runOnce(): Promise<{ refreshed: number; failed: number }>; stop(): Promise<void> } {
  let running: Promise<{ refreshed: number; failed: number }> | undefined;
  const runOnce = () => {
    running ??= (async () => {
      const keys = await options.scanKeys(options.store, WELCOME_IMAGE_PREFIX);
      return options.media.refreshWelcomeImages(keys.map((k) => k.slice(WELCOME_IMAGE_PREFIX.length)));
    })()
      .catch((error: unknown) => {
        options.logger.warn({ err: error }, 'welcome image refresh failed');
        return { refreshed: 0, failed: 1 };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(runOnce, options.intervalMs ?? DEFAULT_WELCOME_REFRESH_MS);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
