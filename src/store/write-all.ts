import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import { isRedisStore, prefixedKey, redisKey, redisPx, serializeForKeyv } from './native-store.js';
import { isSqlStore, type SqlStore, sqlTable } from './scan-keys.js';

/** One key to set, as `keyv.set(key, value, ttlMs)` would set it. */
export interface KeyWrite {
  key: string;
  value: unknown;
  /** Milliseconds until it expires; undefined keeps it until overwritten or deleted. */
  ttlMs?: number;
}

/** A {@link KeyWrite} with the store it goes to: what the stores hand the service to write later, together. */
export interface StoreWrite extends KeyWrite {
  keyv: Keyv;
}

/**
 * Sets every key of the batch in one atomic step, one round trip: a reader (in any process) sees all of them
 * or none, and a failing batch leaves none written. Every entry is checked and serialized before anything is
 * sent, so an invalid one fails the batch with nothing written. A key given twice takes its last value.
 * Store failures throw StoreError.
 */
export type WriteAll = (writes: readonly KeyWrite[]) => Promise<void>;

/**
 * A {@link WriteAll} over one Keyv, through the backend's own client (reached as set-if-absent.ts reaches it):
 *
 * - sqlite and PostgreSQL: one `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE` on Keyv's table. One
 *   statement is one transaction on both, and unlike `BEGIN … COMMIT` over the adapter's shared connection
 *   (sqlite) or pool (PostgreSQL) it cannot take in another caller's statements or be split across
 *   connections.
 * - Redis: one `MULTI … EXEC` of `SET`s (with `PX` for a TTL). Redis runs them without interleaving; it would
 *   not roll back a command failing inside EXEC, which is why nothing invalid is ever queued.
 * - Map (memory): every entry set in one synchronous step, atomic within the process that owns the Map; a
 *   Map that throws on a set (tests make one fail) gets back what the batch had already replaced.
 */
export function createWriteAll(keyv: Keyv): WriteAll {
  const store: unknown = keyv.store;
  let write: (entries: Serialized[]) => Promise<void>;
  if (store instanceof Map) {
    write = async (entries) =>
      setAllOrNone(
        store,
        entries.map((e) => [prefixedKey(keyv, e.key), e.value]),
      );
  } else if (isSqlStore(store) && (store.opts.dialect === 'sqlite' || store.opts.dialect === 'postgres')) {
    write = sqlWrite(keyv, store, store.opts.dialect);
  } else if (isRedisStore(store)) {
    write = async (entries) => {
      const multi = (await store.getClient()).multi();
      for (const { key, value, ttlMs } of entries) {
        multi.set(
          redisKey(store, key),
          value as string,
          ttlMs === undefined ? undefined : { expiration: redisPx(ttlMs) },
        );
      }
      await multi.exec();
    };
  } else {
    throw new Error('This Keyv store has no atomic batch write');
  }

  return (writes) =>
    storeCall(async () => {
      const entries = await serializeAll(keyv, writes);
      if (entries.length > 0) await write(entries);
    });
}

/**
 * Writes keys of possibly several stores: one {@link WriteAll} per store, in the order each store first
 * appears. The service's stores all share one Keyv in the app, which makes this one atomic round trip; tests
 * that give each store a Keyv of its own get one per store.
 */
export async function writeAll(writes: readonly StoreWrite[]): Promise<void> {
  const byStore = new Map<Keyv, KeyWrite[]>();
  for (const { keyv, ...write } of writes) {
    const group = byStore.get(keyv);
    if (group) group.push(write);
    else byStore.set(keyv, [write]);
  }
  for (const [keyv, group] of byStore) await writerOf(keyv)(group);
}

const writers = new WeakMap<Keyv, WriteAll>();

function writerOf(keyv: Keyv): WriteAll {
  let writer = writers.get(keyv);
  if (!writer) {
    writer = createWriteAll(keyv);
    writers.set(keyv, writer);
  }
  return writer;
}

function setAllOrNone(map: Map<unknown, unknown>, entries: Array<[string, unknown]>): void {
  const replaced: Array<readonly [string, boolean, unknown]> = [];
  try {
    for (const [key, value] of entries) {
      const previous = [key, map.has(key), map.get(key)] as const;
      map.set(key, value);
      replaced.push(previous);
    }
  } catch (error) {
    for (const [key, had, value] of replaced.reverse()) {
      if (had) map.set(key, value);
      else map.delete(key);
    }
    throw error;
  }
}

interface Serialized {
  key: string;
  value: unknown;
  ttlMs: number | undefined;
}

/**
 * Entries per batch: a statement binds two values per entry and sqlite builds before 3.32 bind at most 999.
 * Splitting a larger batch would make it two, so it is refused instead.
 */
export const MAX_BATCH = 400;

/** Checks and serializes every entry before anything is sent; a key given twice keeps its last value. */
async function serializeAll(keyv: Keyv, writes: readonly KeyWrite[]): Promise<Serialized[]> {
  if (writes.length > MAX_BATCH) throw new RangeError(`batch write: more than ${MAX_BATCH} entries`);
  const byKey = new Map<string, Serialized>();
  for (const { key, value, ttlMs } of writes) {
    if (typeof key !== 'string' || key === '') throw new TypeError('batch write: empty key');
    if (value === undefined) throw new TypeError(`batch write: no value for ${key}`);
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new TypeError(`batch write: invalid TTL for ${key}`);
    }
    byKey.delete(key);
    byKey.set(key, { key, value: await serializeForKeyv(keyv, value, ttlMs), ttlMs });
  }
  return [...byKey.values()];
}

function sqlWrite(
  keyv: Keyv,
  store: SqlStore,
  dialect: 'sqlite' | 'postgres',
): (entries: Serialized[]) => Promise<void> {
  const table = sqlTable(store, dialect);
  return async (entries) => {
    const rows = entries.map((_, i) =>
      dialect === 'postgres' ? `($${2 * i + 1}, $${2 * i + 2})` : '(?, ?)',
    );
    const sql = `INSERT INTO ${table} (key, value) VALUES ${rows.join(', ')} ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    // One array of bindings fits both adapters' `query` (see scan-keys.ts).
    await store.query(
      sql,
      entries.flatMap(({ key, value }) => [prefixedKey(keyv, key), value]),
    );
  };
}
