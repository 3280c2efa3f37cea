import type { StoredEvent } from './event-store.js';

/** How often pending events are looked at while running (CALLBACK_RETRY_MS). */
export const DEFAULT_CALLBACK_RETRY_MS = 15_000;
/** The longest wait between two runs of one failing event, as a multiple of the retry interval. */
const MAX_BACKOFF_FACTOR = 16;

/**
 * Whether a pending event is due for another run: one interval after it arrived or last failed, doubling with
 * each recorded failure (one poison event or a long outage does not hammer anything), up to 16 intervals.
 * An event younger than one interval is left alone: its first run is most likely still going.
 */
export function dueForRetry(stored: StoredEvent, nowMs: number, everyMs: number): boolean {
  const last = Date.parse(stored.processedAt ?? stored.receivedAt);
  const factor = Math.min(MAX_BACKOFF_FACTOR, 2 ** Math.max(0, stored.attempts - 1));
  return nowMs >= last + everyMs * factor;
}
