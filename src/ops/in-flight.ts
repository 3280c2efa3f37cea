import { type Bilingual, t } from '../base/i18n.js';

/** What a requester is told when they reach an instance that is shutting down. */
export const RESTARTING: Bilingual = t(
  'contactway is restarting. Please try again in a moment.',
  'contactway 正在重启，请稍后再试。',
);

/**
 * The requests an instance is handling, and whether it still takes new ones. Adapters ask `draining` at
 * their entry point (refusing politely once it is true) and run each accepted request through `track`;
 * shutdown calls `drain()` and waits for `settled`.
 */
export interface InFlight {
  /** True once shutdown began: new requests are refused. */
  readonly draining: boolean;
  /** Requests accepted and not finished yet. */
  readonly count: number;
  /** Runs one accepted request; its result or rejection passes through. */
  track<T>(work: () => Promise<T>): Promise<T>;
  /** Stops taking new requests. Those in flight go on. */
  drain(): void;
  /** Resolves true once nothing is in flight, or false when `timeoutMs` passed first. */
  settled(timeoutMs: number): Promise<boolean>;
}

export interface InFlightOptions {
  /** Told each time the count changes (the in-flight gauge). */
  onChange?: (count: number) => void;
}

/** Counts in-flight requests; see `InFlight`. */
export function createInFlight(options: InFlightOptions = {}): InFlight {
  let count = 0;
  let draining = false;
  let idle: (() => void)[] = [];
  const changed = () => {
    options.onChange?.(count);
    if (count > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };
  return {
    get draining() {
      return draining;
    },
    get count() {
      return count;
    },
    async track(work) {
      count += 1;
      changed();
      try {
        return await work();
      } finally {
        count -= 1;
        changed();
      }
    },
    drain() {
      draining = true;
    },
    settled(timeoutMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
