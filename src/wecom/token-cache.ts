import type Keyv from 'keyv';
import { z } from 'zod';
import { type Logger, silentLogger } from '../base/logger.js';
import { storeCall } from '../base/store-call.js';
import { noLock, type StoreLock } from '../lock/lock.js';
import type { TokenHttp, TokenSource } from './token-source.js';

/** Refresh this long before WeCom's stated expiry, so a token never dies in flight (§6). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Access tokens for one token source: held in process memory, with the shared Keyv store as the copy every
 * instance sees. The store is read only when memory has no usable token (cold start, near expiry) or after
 * WeCom rejected the token in memory, so a WeCom call costs no store round trip while the token is good.
 */
export interface TokenCache {
  /** A token that is not near its expiry: from memory, the store, or fetched once for all concurrent callers. */
  get(): Promise<string>;
  /**
   * A replacement for a token WeCom rejected (40014/42001): memory lets go of it and the store is read again,
   * as another instance may hold a newer one. The store's token is dropped only if it is still `failed`:
   * another caller (or instance) may already have stored a fresh one, which is then reused.
   */
  renew(failed: string): Promise<string>;
}

export interface TokenCacheOptions {
  source: TokenSource;
  cache: Keyv;
  http: TokenHttp;
  now: () => number;
  /**
   * Held across instances around a refresh. The default holds nothing: within one process single-flight
   * already guarantees one gettoken. Several instances pass `createStoreLock(keyv)`; the refresh re-reads the
   * cache once it holds the lock, so waiters reuse the winner's token.
   */
  lock?: StoreLock;
  /** Told when the store refused a write; default silent. */
  logger?: Logger;
}

/** What the store holds. Validated on read: the store is shared and may hold another version's shape. */
const entrySchema = z.object({
  accessToken: z.string().min(1),
  expiresAtMs: z.number(),
  refreshAtMs: z.number(),
});
type Entry = z.infer<typeof entrySchema>;

interface Flight {
  entry: Entry;
  /** False when the flight only re-read the cache (another instance had refreshed). */
  fetched: boolean;
}

/** This process's copy of a key's token, and the last token WeCom rejected (never taken back into memory). */
interface Held {
  entry?: Entry;
  rejected?: string;
}

// Per store and key, process-wide: clients that share a Keyv (contact ways, customers, directory) share an
// in-progress fetch and the token in memory. Keyed by the store object, so two instances simulated in one
// process with two Keyvs stay as separate as two processes.
const flightsByStore = new WeakMap<Keyv, Map<string, Promise<Flight>>>();
const heldByStore = new WeakMap<Keyv, Map<string, Held>>();

function perStore<V>(all: WeakMap<Keyv, Map<string, V>>, store: Keyv): Map<string, V> {
  let map = all.get(store);
  if (!map) {
    map = new Map();
    all.set(store, map);
  }
  return map;
}

/**
 * The cache lives in the shared store, so its calls fail as every store call does (`storeCall`):
 *
 * - A failed **read** is a StoreError, at once: the requester hears that the store is unavailable, and nothing
 *   is asked of WeCom. Every command needs the store right after (limits, records), so going on would at best
 *   create a contact way whose record can only be journaled, and would call gettoken on every request for as
 *   long as the outage lasts. While memory holds a good token no read happens; a creation still meets the
 *   outage first at its idempotency and limit checks, which come before add_contact_way.
 * - A failed **write** (or the delete of a rejected token) is logged and the fresh token is used anyway: a
 *   cache is a cache, and the token is valid whether or not it was stored. The next call fetches again.
 */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const { source, cache, http, now } = options;
  const lock = options.lock ?? noLock;
  const logger = options.logger ?? silentLogger();
  const key = source.cacheKey;
  const flights = perStore(flightsByStore, cache);
  const heldByKey = perStore(heldByStore, cache);
  const memory: Held = heldByKey.get(key) ?? {};
  heldByKey.set(key, memory);

  /** Keeps a token read or fetched, unless it is the one WeCom just rejected (a read racing the renew). */
  function remember(entry: Entry): string {
    if (entry.accessToken !== memory.rejected) memory.entry = entry;
    return entry.accessToken;
  }

  function fromMemory(): string | undefined {
    const entry = memory.entry;
    // The same margin as the store copy: refreshed before WeCom's expiry, never used in its last minutes.
    return entry && now() < entry.refreshAtMs ? entry.accessToken : undefined;
  }

  async function read(): Promise<unknown> {
    return storeCall(() => cache.get(key));
  }

  /** A write the request does not depend on: a failure is a warning, never the request's error. */
  async function bestEffort(what: 'write' | 'delete', operation: () => Promise<unknown>): Promise<void> {
    try {
      await storeCall(operation);
    } catch (error) {
      logger.warn(
        { err: error, code: (error as { code?: string }).code },
        `token cache ${what} failed; going on with the token in hand`,
      );
    }
  }

  async function readFresh(): Promise<Entry | undefined> {
    const parsed = entrySchema.safeParse(await read());
    if (!parsed.success) return undefined;
    return now() < parsed.data.refreshAtMs ? parsed.data : undefined;
  }

  async function refresh(failed: string | undefined): Promise<Flight> {
    // Re-check under the lock: another instance may have refreshed while we waited for it.
    const cached = await readFresh();
    if (cached && cached.accessToken !== failed) return { entry: cached, fetched: false };
    const issued = await source.fetchToken(http);
    const lifetimeMs = issued.expiresInS * 1000;
    // Half the lifetime caps the margin, so short-lived tokens (a sandbox issuing 60 s tokens) are still cached.
    const marginMs = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    const issuedAt = now();
    const entry: Entry = {
      accessToken: issued.accessToken,
      expiresAtMs: issuedAt + lifetimeMs,
      refreshAtMs: issuedAt + lifetimeMs - marginMs,
    };
    await bestEffort('write', () => cache.set(key, entry, lifetimeMs));
    return { entry, fetched: true };
  }

  /** Joins the fetch in progress for this key, or starts one. */
  function flight(failed: string | undefined): Promise<Flight> {
    const running = flights.get(key);
    if (running) return running;
    const started = lock(key, () => refresh(failed))
      .then((flown) => {
        remember(flown.entry);
        return flown;
      })
      .finally(() => flights.delete(key));
    flights.set(key, started);
    return started;
  }

  async function dropIfStill(failed: string): Promise<void> {
    const parsed = entrySchema.safeParse(await read());
    if (parsed.success && parsed.data.accessToken === failed)
      await bestEffort('delete', () => cache.delete(key));
  }

  return {
    async get() {
      const inMemory = fromMemory();
      if (inMemory) return inMemory;
      // Another instance may have refreshed already: its token costs a read, a fetch costs gettoken.
      const cached = await readFresh();
      if (cached) return remember(cached);
      return (await flight(undefined)).entry.accessToken;
    },

    async renew(failed) {
      // Memory gives way first; the store is read below, as it may already hold another instance's new token.
      memory.rejected = failed;
      if (memory.entry?.accessToken === failed) memory.entry = undefined;
      // Compare before deleting: never drop a token someone else just stored. If this process is already
      // fetching, that fetch will overwrite the entry; deleting now could race with its write.
      if (!flights.has(key)) await dropIfStill(failed);
      const joined = await flight(failed);
      if (joined.fetched || joined.entry.accessToken !== failed) return joined.entry.accessToken;
      // We joined a flight that only re-read the token that failed: start (or join) one fetch of our own.
      return (await flight(failed)).entry.accessToken;
    },
  };
}
