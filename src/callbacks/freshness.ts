import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { CallbackError, malformedCallback } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { storeCall } from '../base/store-call.js';
import { createSetIfAbsent } from '../store/set-if-absent.js';
import { callbackNonceKey } from './keys.js';

/**
 * How far a callback's `timestamp` may be from our clock, either way. WeCom waits 5 s for an answer and
 * tries 3 times in all (reference §1), so even a retry that kept the first try's timestamp arrives well
 * within a minute of it; the rest is for clock skew between WeCom and us.
 */
export const FRESHNESS_WINDOW_MS = 5 * 60_000;

/**
 * Remembers each nonce seen in a signed, fresh callback, with a fingerprint of the message it came with.
 * Resolves undefined when this call is the first to claim `nonce`, else the fingerprint stored by the first.
 */
export type NonceMemory = (nonce: string, fingerprint: string, ttlMs: number) => Promise<string | undefined>;

/**
 * Throws CallbackError `callback.stale` unless `timestamp` (Unix seconds, as WeCom sends it) is within
 * {@link FRESHNESS_WINDOW_MS} of `nowMs`. Without this a captured request stayed valid forever.
 */
export function checkFresh(timestamp: string, nowMs: number): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw malformedCallback('timestamp is not Unix seconds');
  if (Math.abs(Number(timestamp) * 1000 - nowMs) <= FRESHNESS_WINDOW_MS) return;
  throw new CallbackError(
    'callback.stale',
    t(
      'The callback timestamp is more than 5 minutes from this server’s clock: a replayed request, or a clock that needs NTP.',
      '回调时间戳与本服务器时钟相差超过 5 分钟：可能是重放的请求，或服务器时钟需要校准（NTP）。',
    ),
  );
}

/**
 * Claims `nonce` for as long as a timestamp can stay fresh (the window on both sides of now). The same nonce
 * with the same decrypted message is a repeat of one delivery and is let through: WeCom may retry with the
 * request it built the first time (same timestamp and nonce), and the event store's dedupe answers it
 * `success` without acting twice. The same nonce with another message is refused: a nonce belongs to one
 * message. Only requests whose signature verified and whose timestamp is fresh get here, so a forger cannot
 * fill the memory.
 */
export async function claimNonce(nonces: NonceMemory, nonce: string, message: string): Promise<void> {
  const fingerprint = createHash('sha256').update(message).digest('base64url');
  const first = await nonces(nonce, fingerprint, 2 * FRESHNESS_WINDOW_MS);
  if (first === undefined || first === fingerprint) return;
  throw new CallbackError(
    'callback.replayed_nonce',
    t(
      'The callback reused a nonce already seen with another message within the last minutes.',
      '回调的 nonce 在几分钟内已随另一条消息出现过。',
    ),
  );
}

/** Nonces in the shared store: a replay is caught whichever instance it reaches. Store failures throw StoreError. */
export function storeNonces(keyv: Keyv): NonceMemory {
  const setIfAbsent = createSetIfAbsent(keyv);
  return async (nonce, fingerprint, ttlMs) => {
    const key = callbackNonceKey(nonce);
    if (await setIfAbsent(key, fingerprint, ttlMs)) return undefined;
    const stored = await storeCall(() => keyv.get<string>(key));
    // Expired between the claim and the read: the window has passed for the first one too.
    return stored ?? fingerprint;
  };
}

/**
 * Nonces in this process: what a receiver uses until it is given the store's (tests that build the
 * receiver alone). Entries all live the same time, so the oldest are at the front of the Map.
 */
export function memoryNonces(now: () => number = Date.now): NonceMemory {
  const seen = new Map<string, { fingerprint: string; until: number }>();
  return async (nonce, fingerprint, ttlMs) => {
    const at = now();
    for (const [key, entry] of seen) {
      if (entry.until > at) break;
      seen.delete(key);
    }
    const first = seen.get(nonce);
    if (first) return first.fingerprint;
    seen.set(nonce, { fingerprint, until: at + ttlMs });
    return undefined;
  };
}
