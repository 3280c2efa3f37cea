/**
 * Whether a temporary way is used up. WeCom's temporary-session QR works for one customer: once one added the
 * member through it, it is dead. The customers the callbacks and sync record are the one source of truth: a
 * flag on the way's record would be a second copy to keep in step (an `edit` rewrites the record while the add
 * event may be landing), and it would miss ways used before it existed.
 */
import type { CustomerRecord } from '../store/customer-store.js';
import type { ContactWayRecord } from '../store/index.js';

/** What came of a way: how many customers came through it, and for a temporary way the one who used it. */
export interface WayUsage {
  customers: number;
  /** The first customer through a temporary way: its QR no longer works. */
  usedBy?: CustomerRecord | undefined;
}

/** `customers` oldest first, as the customer store lists them. */
export function wayUsage(
  way: Pick<ContactWayRecord, 'isTemp'>,
  customers: readonly CustomerRecord[],
): WayUsage {
  const usedBy = way.isTemp ? customers[0] : undefined;
  return { customers: customers.length, ...(usedBy ? { usedBy } : {}) };
}
