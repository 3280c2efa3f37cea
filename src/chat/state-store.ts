import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import type { Logger } from '../base/logger.js';
import { CHAT_STATE_PREFIX } from '../store/keys.js';

/** Long enough to fix a form and come back; short enough that stale state does not pile up. */
export const STATE_TTL_MS = 30 * 60 * 1000;

/**
 * Short-lived state in the shared store: what a form must carry that does not fit in the platform's own
 * field (Discord's 100-character custom_id), and what a requester typed into a form that failed. Disposable
 * by design (TTL'd), never records.
 */
export interface StateStore {
  /**
   * Picks the id at once and writes in the background, so the id can go into a form that must open before
   * any await. `written` never rejects: it says whether the value was stored (a failure is logged).
   */
  save(value: unknown, ttlMs?: number): { id: string; written: Promise<boolean> };
  /** The value, or undefined when unknown, expired, unreadable, or slower than `timeoutMs`. */
  load(id: string, timeoutMs?: number): Promise<unknown>;
}

export function createStateStore(keyv: Keyv, options: { logger?: Logger } = {}): StateStore {
  return {
    save(value, ttlMs = STATE_TTL_MS) {
      // 9 random bytes = 12 base64url characters: unguessable, and short enough for any custom_id.
      const id = randomBytes(9).toString('base64url');
      const written = keyv.set(`${CHAT_STATE_PREFIX}${id}`, value, ttlMs).then(
        () => true,
        (error: unknown) => {
          options.logger?.warn({ err: error }, 'could not store form state');
          return false;
        },
      );
      return { id, written };
    },

    async load(id, timeoutMs = 2_000) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      try {
        return await Promise.race([keyv.get(`${CHAT_STATE_PREFIX}${id}`), timeout]);
      } catch (error) {
        options.logger?.warn({ err: error }, 'could not read form state');
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
