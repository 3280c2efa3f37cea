import type { Keyv } from 'keyv';
import { z } from 'zod';
import { type Sealer, sealedSchema } from '../base/seal.js';
import { storeCall } from '../base/store-call.js';
import type { StoreLock } from '../lock/lock.js';
import { SUITE_TICKET_PREFIX } from '../store/keys.js';
import type { SuiteTicket, SuiteTicketSource } from '../wecom/suite-tokens.js';

/** "suite_ticket实际有效期为30分钟" (doc §1.2): kept that long, not the 10 minutes between pushes (WxJava #1990). */
export const SUITE_TICKET_LIFE_MS = 30 * 60_000;

const entrySchema = z.object({
  ticket: sealedSchema,
  timestamp: z.number().int(),
  expiresAtMs: z.number(),
  receivedAtMs: z.number(),
  refused: z.boolean().default(false),
});
type Entry = z.infer<typeof entrySchema>;

/** What `offer` did with a pushed ticket. */
export type Offered = 'kept' | 'older' | 'expired';

export interface SuiteTicketStore extends SuiteTicketSource {
  /**
   * Keeps a pushed ticket unless the store already holds one with the same or a later TimeStamp (pushes may
   * arrive out of order, on any instance: WxJava #1991), or its 30 minutes have already passed.
   */
  offer(ticket: string, timestamp: number): Promise<Offered>;
  /** When the newest ticket arrived and whether WeCom refused it, for status; undefined when none is held. */
  status(): Promise<{ timestamp: number; receivedAtMs: number; refused: boolean } | undefined>;
}

/**
 * The newest suite_ticket, in the shared store so every instance reads the one whichever instance received,
 * under one key per suite (several suites on one store never overwrite each other's: overtrue/wechat #1307).
 * Compare-and-set runs under the store lock. The ticket is sealed with STORE_ENCRYPTION_KEY when set.
 */
export function createSuiteTicketStore(options: {
  keyv: Keyv;
  suiteId: string;
  lock: StoreLock;
  sealer: Sealer;
  now?: () => number;
}): SuiteTicketStore {
  const { keyv, lock, sealer } = options;
  const now = options.now ?? Date.now;
  const key = `${SUITE_TICKET_PREFIX}${encodeURIComponent(options.suiteId)}`;

  async function read(): Promise<Entry | undefined> {
    const parsed = entrySchema.safeParse(await storeCall(() => keyv.get(key)));
    return parsed.success && parsed.data.expiresAtMs > now() ? parsed.data : undefined;
  }

  async function write(entry: Entry): Promise<void> {
    await storeCall(() => keyv.set(key, entry, Math.max(1, entry.expiresAtMs - now())));
  }

  return {
    offer(ticket, timestamp) {
      return lock(key, async () => {
        // Its 30 minutes count from WeCom's TimeStamp: a push delivered late must not outlive its validity.
        const expiresAtMs = Math.min(timestamp * 1000 + SUITE_TICKET_LIFE_MS, now() + SUITE_TICKET_LIFE_MS);
        if (expiresAtMs <= now()) return 'expired';
        const current = await read();
        if (current && current.timestamp >= timestamp) return 'older';
        await write({
          ticket: sealer.seal(ticket),
          timestamp,
          expiresAtMs,
          receivedAtMs: now(),
          refused: false,
        });
        return 'kept';
      });
    },

    async newest(): Promise<SuiteTicket | undefined> {
      const entry = await read();
      if (!entry) return undefined;
      return { ticket: sealer.open(entry.ticket), timestamp: entry.timestamp, refused: entry.refused };
    },

    refuse(ticket) {
      return lock(key, async () => {
        const current = await read();
        // A newer push replaced it meanwhile: that one has not been tried yet.
        if (!current || current.timestamp !== ticket.timestamp) return;
        await write({ ...current, refused: true });
      });
    },

    async status() {
      const entry = await read();
      return (
        entry && { timestamp: entry.timestamp, receivedAtMs: entry.receivedAtMs, refused: entry.refused }
      );
    },
  };
}
