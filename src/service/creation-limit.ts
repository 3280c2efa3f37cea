import type Keyv from 'keyv';
import { RateLimitError } from '../errors.js';
import { t } from '../i18n.js';
import { storeCall } from '../store/index.js';

/** `20/1h` → at most 20 creations per requester per hour. */
export interface CreationLimit {
  max: number;
  windowMs: number;
}

/**
 * Caps how many contact ways one requester creates per window, counted in the shared store so every
 * instance sees the same count. The count is read then written (keyv has no atomic increment), so two
 * instances racing can each let one extra through: a soft cap against runaway scripts, not a quota.
 */
export function createCreationLimiter(keyv: Keyv, limit: CreationLimit, now: () => number = Date.now) {
  return {
    async take(requesterKey: string): Promise<void> {
      const at = now();
      const window = Math.floor(at / limit.windowMs);
      const key = `limit:create:${requesterKey}:${window}`;
      const used = await storeCall(async () => Number((await keyv.get<number>(key)) ?? 0));
      if (used >= limit.max) {
        const retryAfterMs = (window + 1) * limit.windowMs - at;
        const minutes = Math.ceil(retryAfterMs / 60_000);
        throw new RateLimitError({
          retryAfterMs,
          human: t(
            `You reached the limit of ${limit.max} new contact ways; try again in ${minutes} min.`,
            `你已达到新建「联系我」的上限（${limit.max} 个），请 ${minutes} 分钟后重试。`,
          ),
        });
      }
      await storeCall(() => keyv.set(key, used + 1, limit.windowMs));
    },
  };
}

/** Parses `20/1h`, `100/1d`, `5/10m`; undefined for anything else. */
export function parseCreationLimit(
  text: string,
  parseDurationS: (s: string) => number | undefined,
): CreationLimit | undefined {
  const match = /^\s*(\d+)\s*\/\s*(.+)$/.exec(text);
  if (!match) return undefined;
  const seconds = parseDurationS(match[2] ?? '');
  const max = Number(match[1]);
  if (!seconds || max < 1) return undefined;
  return { max, windowMs: seconds * 1000 };
}
