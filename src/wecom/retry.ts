/**
 * Bounded retries with exponential back-off and jitter. WeCom asks for at most 3 retries of "system busy"
 * (§3); wechatpy's unbounded retry ended in a RecursionError (§5), so the bound is not optional.
 */

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_BASE_DELAY_MS = 200;
export const DEFAULT_MAX_DELAY_MS = 5_000;

export interface RetryOptions {
  /** Whether this failure may be retried. Anything else is thrown at once. */
  isRetryable: (error: unknown) => boolean;
  /** Injected so tests never sleep on real time. */
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); injected so tests can pin the jitter. */
  random: () => number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait, e.g. to log. */
  onRetry?: (info: { retry: number; delayMs: number; error: unknown }) => void;
}

/**
 * The wait before retry number `retry` (1-based): `base·2^(retry-1)` capped at `max`, half of it fixed and
 * half random ("equal jitter"), so many instances hit by the same WeCom hiccup do not retry in lockstep.
 */
export function backoffMs(
  retry: number,
  random: () => number,
  baseDelayMs = DEFAULT_BASE_DELAY_MS,
  maxDelayMs = DEFAULT_MAX_DELAY_MS,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Runs `fn`, retrying retryable failures up to `maxRetries` times; the last failure is thrown as is. */
export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  for (let retry = 1; ; retry++) {
    try {
      return await fn();
    } catch (error) {
      if (retry > maxRetries || !options.isRetryable(error)) throw error;
      const delayMs = backoffMs(retry, options.random, options.baseDelayMs, options.maxDelayMs);
      options.onRetry?.({ retry, delayMs, error });
      await options.sleep(delayMs);
    }
  }
}

/** The real sleep, for production. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
