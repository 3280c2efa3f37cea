/** Far more deliveries than 10 minutes bring to one instance; beyond it the oldest are forgotten first. */
const MAX_ENTRIES = 50_000;

/**
 * Keys seen in the last `windowMs`, in memory: a replay is known without a store round trip. Bounded both
 * ways (age and count); the store's claim still covers what another instance saw or this one forgot.
 */
export function createRecentlySeen(windowMs: number, now: () => number = Date.now, max = MAX_ENTRIES) {
  // Insertion order is expiry order: every entry lives the same window.
  const expiries = new Map<string, number>();
  return {
    /** True the first time a key is added within the window; false while it is remembered. */
    add(key: string): boolean {
      const t = now();
      for (const [old, expires] of expiries) {
        if (expires > t) break;
        expiries.delete(old);
      }
      if (expiries.has(key)) return false;
      for (const old of expiries.keys()) {
        if (expiries.size < max) break;
        expiries.delete(old);
      }
      expiries.set(key, t + windowMs);
      return true;
    },
  };
}
