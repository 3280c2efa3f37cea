import type Keyv from 'keyv';
import { RateLimitError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { createSlotCounter } from '../store/index.js';

/** `20/1h` → at most 20 creations per requester per hour. */
export interface CreationLimit {
  max: number;
  windowMs: number;
}

/** A slot taken for one creation; given back when the creation certainly did not happen. */
export interface CreationSlot {
  refund(): Promise<void>;
}

/** What the service needs of a limiter. */
export interface CreationLimiter {
  /** Takes a slot for one creation, or throws RateLimitError when the requester has none left. */
  take(requesterKey: string): Promise<CreationSlot>;
}

/**
 * Caps how many contact ways one requester creates per fixed window, counted in the shared store so every
 * instance sees the same count. The check and the increment are one atomic step of the backend
 * ({@link createSlotCounter}): N submissions at the same moment, on one instance or several, create at most
 * the limit.
 */
export function createCreationLimiter(
  keyv: Keyv,
  limit: CreationLimit,
  now: () => number = Date.now,
): CreationLimiter {
  const slots = createSlotCounter(keyv);
  return {
    async take(requesterKey) {
      const at = now();
      const window = Math.floor(at / limit.windowMs);
      const key = `limit:create:${requesterKey}:${window}`;
      const windowLeftMs = (window + 1) * limit.windowMs - at;
      if (!(await slots.take(key, limit.max, windowLeftMs))) {
        const minutes = Math.ceil(windowLeftMs / 60_000);
        throw new RateLimitError({
          retryAfterMs: windowLeftMs,
          human: t(
            `You reached the limit of ${limit.max} new contact ways; try again in ${minutes} min.`,
            `你已达到新建「联系我」的上限（${limit.max} 个），请 ${minutes} 分钟后重试。`,
          ),
        });
      }
      return { refund: () => slots.giveBack(key) };
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
