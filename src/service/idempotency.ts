import type Keyv from 'keyv';
import { noLock, type StoreLock, type StoreWrite, storeCall } from '../store/index.js';

/** How long a submission is remembered: far longer than any platform retries or a user double-clicks. */
const REMEMBER_MS = 24 * 3600 * 1000;

/**
 * Makes "the same submission delivered twice" (a retried request, a double click, a second instance
 * receiving a redelivery) create one contact way. The first run's config_id is remembered under the key;
 * later runs get the first one's result back instead of calling WeCom again.
 */
/**
 * The write that remembers a submission's config_id, for a `run` that stores it with its own writes (one
 * batch); once it is taken, `once` does not write it again.
 */
export type Remember = (configId: string) => StoreWrite;

/**
 * The lock holds nothing by default (one process: the in-flight map suffices); several instances pass
 * `createStoreLock(keyv)`, so a submission delivered to two of them is checked and created under one lock and
 * the second finds the first one's config_id.
 */
export function createIdempotency(keyv: Keyv, lock: StoreLock = noLock) {
  const inFlight = new Map<string, Promise<unknown>>();
  const claiming = new Set<string>();

  return {
    /**
     * True the first time `key` is claimed within `ttlMs`, false for every later claim: in this process,
     * and on every instance sharing the store and lock. For requests whose repeats are dropped rather than
     * answered again (a replayed slash command or button click). Store failures throw a StoreError.
     */
    async claim(key: string, ttlMs: number): Promise<boolean> {
      const storeKey = `idem:${key}`;
      if (claiming.has(storeKey)) return false;
      claiming.add(storeKey);
      try {
        return await lock(storeKey, async () => {
          if (await storeCall(() => keyv.get(storeKey))) return false;
          await storeCall(() => keyv.set(storeKey, 'claimed', ttlMs));
          return true;
        });
      } finally {
        claiming.delete(storeKey);
      }
    },

    async once<T>(
      key: string,
      run: (remember: Remember) => Promise<T>,
      idOf: (result: T) => string,
      replay: (configId: string) => Promise<T>,
    ): Promise<T> {
      const storeKey = `idem:${key}`;
      const running = inFlight.get(storeKey) as Promise<T> | undefined;
      if (running) return running;
      const work = lock(storeKey, async () => {
        const seen = await storeCall(() => keyv.get<string>(storeKey));
        if (seen) return replay(seen);
        let taken = false;
        const result = await run((configId) => {
          taken = true;
          return { keyv, key: storeKey, value: configId, ttlMs: REMEMBER_MS };
        });
        // A failure to remember must not fail a creation that worked; at worst a later retry creates again.
        if (!taken) await keyv.set(storeKey, idOf(result), REMEMBER_MS).catch(() => undefined);
        return result;
      });
      inFlight.set(storeKey, work);
      try {
        return await work;
      } finally {
        inFlight.delete(storeKey);
      }
    },
  };
}
