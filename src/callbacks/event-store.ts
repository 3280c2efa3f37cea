import type { Keyv } from 'keyv';
import { z } from 'zod';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { CALLBACK_EVENT_PREFIX } from '../store/keys.js';
import { readValid } from '../store/read-valid.js';
import { scanKeys } from '../store/scan-keys.js';
import { createSetIfAbsent } from '../store/set-if-absent.js';
import { type ContactEvent, contactEventSchema } from './event.js';
import { eventKey } from './keys.js';

/** How long a processed event is kept: long past WeCom's retries, so a late retry is still recognised. */
export const DONE_EVENT_TTL_MS = 7 * 24 * 3600_000;
/**
 * After this many failed runs an event is left as `failed` (logged), so one poison event cannot loop forever.
 * With the retry backoff (retry.ts) eight runs span about 64 retry intervals (16 min at the default 15 s).
 */
export const MAX_EVENT_ATTEMPTS = 8;

const isoDateTime = z.iso.datetime({ offset: true });

/** One callback event as persisted before WeCom is answered. */
export const storedEventSchema = z.object({
  key: z.string(),
  event: contactEventSchema,
  receivedAt: isoDateTime,
  /** `pending` until processed; pending events are run again on the retry schedule and at the next start. */
  status: z.enum(['pending', 'done', 'failed']),
  attempts: z.number().int().nonnegative(),
  processedAt: isoDateTime.optional(),
  /** What processing did, for logs and support (`attributed`, `unattributed`, `ignored`…), or the error code. */
  outcome: z.string().optional(),
  /**
   * Written before send_welcome_msg is called: a later run of this event (after a crash or a failed step)
   * knows a 41051 may be our own greeting, not someone else's.
   */
  welcomeAttemptedAt: isoDateTime.optional(),
});
export type StoredEvent = z.infer<typeof storedEventSchema>;

/** Callback events in the shared store, deduplicated on the event's own fields across instances. */
export interface EventStore {
  /**
   * Persists the event unless it is already stored (a WeCom retry, or delivered to another instance).
   * `fresh` is true only for the one call that stored it: that caller processes it.
   */
  add(event: ContactEvent, receivedAtMs: number): Promise<{ stored: StoredEvent; fresh: boolean }>;
  get(key: string): Promise<StoredEvent | undefined>;
  /** Marks it processed; kept DONE_EVENT_TTL_MS for dedupe, then dropped. */
  markDone(key: string, outcome: string, atMs: number): Promise<void>;
  /** Records a failed run: pending again (retried later) or, after MAX_EVENT_ATTEMPTS, failed. */
  markFailed(key: string, code: string, atMs: number): Promise<StoredEvent | undefined>;
  /** Notes that the welcome message is about to be sent; throws if the store cannot keep that note. */
  markWelcomeAttempt(key: string, atMs: number): Promise<void>;
  /** Every event still pending, oldest first: what a crash or a failed run left unprocessed. */
  pending(): Promise<StoredEvent[]>;
}

export function createEventStore(keyv: Keyv, options: { logger?: StoreLogger } = {}): EventStore {
  const setIfAbsent = createSetIfAbsent(keyv);
  const { logger } = options;

  async function get(key: string): Promise<StoredEvent | undefined> {
    const [result] = await readValid(keyv, [key], storedEventSchema, logger);
    return result?.state === 'ok' ? result.value : undefined;
  }

  return {
    add: (event, receivedAtMs) =>
      storeCall(async () => {
        const key = eventKey(event);
        const stored: StoredEvent = {
          key,
          event,
          receivedAt: new Date(receivedAtMs).toISOString(),
          status: 'pending',
          attempts: 0,
        };
        if (await setIfAbsent(key, stored)) return { stored, fresh: true };
        return { stored: (await get(key)) ?? stored, fresh: false };
      }),

    get: (key) => storeCall(() => get(key)),

    markDone: (key, outcome, atMs) =>
      storeCall(async () => {
        const current = await get(key);
        if (!current) return;
        const done: StoredEvent = {
          ...current,
          status: 'done',
          attempts: current.attempts + 1,
          processedAt: new Date(atMs).toISOString(),
          outcome,
        };
        await keyv.set(key, done, DONE_EVENT_TTL_MS);
      }),

    markFailed: (key, code, atMs) =>
      storeCall(async () => {
        const current = await get(key);
        if (!current) return undefined;
        const attempts = current.attempts + 1;
        const next: StoredEvent = {
          ...current,
          status: attempts >= MAX_EVENT_ATTEMPTS ? 'failed' : 'pending',
          attempts,
          processedAt: new Date(atMs).toISOString(),
          outcome: code,
        };
        await keyv.set(key, next, next.status === 'failed' ? DONE_EVENT_TTL_MS : undefined);
        return next;
      }),

    markWelcomeAttempt: (key, atMs) =>
      storeCall(async () => {
        const current = await get(key);
        if (!current) return;
        await keyv.set(key, { ...current, welcomeAttemptedAt: new Date(atMs).toISOString() });
      }),

    pending: () =>
      storeCall(async () => {
        // Processed events expire after a week, so this scan stays the size of a week of adds.
        const keys = await scanKeys(keyv, CALLBACK_EVENT_PREFIX);
        const results = await readValid(keyv, keys, storedEventSchema, logger);
        return results
          .flatMap((r) => (r.state === 'ok' && r.value.status === 'pending' ? [r.value] : []))
          .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      }),
  };
}
