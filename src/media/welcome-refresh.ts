import type Keyv from 'keyv';
import { inCorp } from '../base/corp-scope.js';
import type { Logger } from '../base/logger.js';
import { type ImageMedia, WELCOME_IMAGE_PREFIX } from './image-media.js';

/** Twice a day: a media_id is replaced at 2.5 days, so every image is refreshed well before its 3 days end. */
export const DEFAULT_WELCOME_REFRESH_MS = 12 * 3600 * 1000;
/** How soon a newly installed corp gets its first uploads. */
const NEW_CORPS_MS = 2 * 60_000;

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
  /**
   * A provider mode: the active corps. A media_id belongs to the corp that uploaded it, so each corp gets its
   * own upload, with its own token (no corp at all would ask the sole-corp client, which fails with several).
   */
  corps?: () => Promise<string[]>;
  intervalMs?: number;
  /** How often a provider mode looks for corps installed since the last refresh (their first uploads). */
  newCorpsMs?: number;
}): { runOnce(): Promise<{ refreshed: number; failed: number }>; stop(): Promise<void> } {
  let running: Promise<{ refreshed: number; failed: number }> | undefined;
  /** The corps the last full refresh covered: one installed since gets its uploads within `newCorpsMs`. */
  let covered: ReadonlySet<string> | undefined;
  const run = (only?: (corp: string) => boolean) => {
    running ??= (async () => {
      const keys = await options.scanKeys(options.store, WELCOME_IMAGE_PREFIX);
      const { media, corps } = options;
      // Renewed once per image, whatever the corps: the bytes are shared by hash.
      const hashes = await media.renewWelcomeImages(keys.map((k) => k.slice(WELCOME_IMAGE_PREFIX.length)));
      if (!corps) return media.refreshWelcomeImages(hashes);
      const total = { refreshed: 0, failed: 0 };
      const active = await corps();
      if (!only) covered = new Set(active);
      for (const corp of active.filter((c) => !only || only(c))) {
        const one = await inCorp(corp, () => media.refreshWelcomeImages(hashes));
        total.refreshed += one.refreshed;
        total.failed += one.failed;
      }
      return total;
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
  const runOnce = () => run();
  const timer = setInterval(runOnce, options.intervalMs ?? DEFAULT_WELCOME_REFRESH_MS);
  timer.unref();
  // A corp installed after the last refresh has no media_id for the presets' covers: its welcomes would wait
  // up to 12 h for them. It is found within minutes and refreshed alone (covered afterwards).
  const newcomers = options.corps
    ? setInterval(async () => {
        const seen = covered;
        if (!seen || running || !options.corps) return;
        const fresh = (await options.corps().catch(() => [])).filter((c) => !seen.has(c));
        if (fresh.length === 0) return;
        covered = new Set([...seen, ...fresh]);
        await run((c) => fresh.includes(c));
      }, options.newCorpsMs ?? NEW_CORPS_MS)
    : undefined;
  newcomers?.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      clearInterval(newcomers);
      await running;
    },
  };
}
