import { RateLimitError } from '../base/errors.js';
import { t } from '../base/i18n.js';

/**
 * Half of WeCom's documented 10,000 calls per minute per API per corp (§4): room for other apps of the corp
 * and for clock skew between WeCom's window and ours.
 */
export const DEFAULT_MAX_CALLS_PER_MINUTE = 5_000;
/** A call may wait this long for its permit; a longer wait fails fast with RateLimitError instead. */
export const DEFAULT_MAX_QUEUE_MS = 2_000;

/** Options for {@link createCallLimiter}. */
export interface CallLimiterOptions {
  /** Calls per minute per endpoint, for this process only. Default {@link DEFAULT_MAX_CALLS_PER_MINUTE}. */
  maxCallsPerMinute?: number;
  /** Longest wait for a permit before failing fast. Default {@link DEFAULT_MAX_QUEUE_MS}. */
  maxQueueMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Keeps one process under WeCom's per-corp limits and stops it hammering WeCom once WeCom throttles it.
 *
 * - **Token bucket per endpoint** (WeCom counts per API): refills `maxCallsPerMinute` a minute and holds at most
 *   half of that, so bursts (a thousand list calls at once) pass, and no 60 s window ever sees more than 1.5 × the
 *   limit (7,500 at the default, under WeCom's 10,000) even if WeCom's window is sliding.
 *   A call that would wait more than `maxQueueMs` for its permit fails at once with RateLimitError.
 * - **Block after 45009/45033**: WeCom's answer closes the gate for every endpoint for its `retryAfterMs`
 *   (60 s for 45009: a minute-level block, §4; we cannot tell whether the per-API or per-IP limit tripped).
 *   Until then every call fails fast with RateLimitError carrying the remaining wait; nothing is sent.
 *
 * It is per instance: N instances may send N × the limit. Set `WECOM_MAX_CALLS_PER_MINUTE` to about 5000 / N
 * when running many instances. A block one instance learns about is not shared with the others; each of them
 * meets at most one 45009 per block.
 */
export interface CallLimiter {
  /** Waits for a permit for one call to `endpoint`, or throws RateLimitError (blocked, or queue too long). */
  take(endpoint: string): Promise<void>;
  /** Reports a RateLimitError WeCom sent (it has an errcode): closes the gate for its `retryAfterMs`. */
  blocked(error: RateLimitError): void;
}

interface Bucket {
  /** Permits available at `atMs`; negative when callers have reserved future permits and are waiting. */
  permits: number;
  atMs: number;
}

export function createCallLimiter(options: CallLimiterOptions): CallLimiter {
  const { now, sleep } = options;
  const perMinute = options.maxCallsPerMinute ?? DEFAULT_MAX_CALLS_PER_MINUTE;
  const maxQueueMs = options.maxQueueMs ?? DEFAULT_MAX_QUEUE_MS;
  const capacity = Math.max(1, Math.ceil(perMinute / 2));
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  let blockedUntilMs = 0;
  let blockedBy: number | undefined;

  function gate(): void {
    const leftMs = blockedUntilMs - now();
    if (leftMs <= 0) return;
    const seconds = Math.ceil(leftMs / 1000);
    throw new RateLimitError({
      retryAfterMs: leftMs,
      ...(blockedBy === undefined ? {} : { errcode: blockedBy }),
      human: t(
        `WeCom asked us to slow down (errcode ${blockedBy}); nothing is sent to WeCom for ${seconds} s. Please retry then.`,
        `企业微信要求降低调用频率（错误码 ${blockedBy}），${seconds} 秒内不再调用企业微信，请届时重试。`,
      ),
    });
  }

  return {
    async take(endpoint) {
      gate();
      const at = now();
      const bucket = buckets.get(endpoint) ?? { permits: capacity, atMs: at };
      bucket.permits = Math.min(capacity, bucket.permits + (at - bucket.atMs) * perMs);
      bucket.atMs = at;
      buckets.set(endpoint, bucket);
      // Reserve a permit now (possibly one that has yet to refill) and wait for it: callers are served in order.
      const waitMs = bucket.permits >= 1 ? 0 : Math.ceil((1 - bucket.permits) / perMs);
      if (waitMs > maxQueueMs) {
        const seconds = Math.ceil(waitMs / 1000);
        throw new RateLimitError({
          retryAfterMs: waitMs,
          human: t(
            `Too many WeCom calls from this instance (at most ${perMinute} a minute per API); retry in ${seconds} s.`,
            `本实例调用企业微信过于频繁（每个接口每分钟最多 ${perMinute} 次），请 ${seconds} 秒后重试。`,
          ),
        });
      }
      bucket.permits -= 1;
      if (waitMs > 0) {
        await sleep(waitMs);
        // WeCom may have blocked us while we waited.
        gate();
      }
    },

    blocked(error) {
      const until = now() + error.retryAfterMs;
      if (until <= blockedUntilMs) return;
      blockedUntilMs = until;
      blockedBy = error.errcode;
    },
  };
}
