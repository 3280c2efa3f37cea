import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import { createStoreLock, redisStoreOf } from '../lock/lock.js';
import { isSqlStore, physicalPrefix, type SqlStore, sqlTable } from './scan-keys.js';

/**
 * A counter of taken slots with a ceiling, shared by every instance on the store: the creation limit. Keyv has
 * no atomic increment, and a read-then-write lets a burst through (twelve submissions at once all read 0), so
 * each backend does the check and the increment in one step of its own.
 */
export interface SlotCounter {
  /**
   * Takes one slot of `key` when fewer than `max` are taken, in one atomic step; false when all are taken.
   * The key lives `ttlMs` from its first slot.
   */
  take(key: string, max: number, ttlMs: number): Promise<boolean>;
  /** Gives one slot of `key` back (never below zero); nothing when the key has expired meanwhile. */
  giveBack(key: string): Promise<void>;
}

/**
 * - **Redis**: a Lua script (GET, compare, INCR, PEXPIRE on the first slot) on the adapter's own client; Redis
 *   runs a script alone, so several instances cannot interleave. The value is a plain Redis integer.
 * - **sqlite, PostgreSQL**: one `INSERT … ON CONFLICT DO UPDATE … WHERE count < max RETURNING` statement: the
 *   database applies it atomically, across connections and processes. The value keeps Keyv's format
 *   (`{"value":n,"expires":ms}`), so Keyv reads and expires it like any other key.
 * - **memory and any other adapter**: read and write under the in-process mutex of `createStoreLock`: atomic
 *   within the process, which is all such a store is shared by.
 *
 * Failures of the backend are StoreErrors.
 */
export function createSlotCounter(keyv: Keyv): SlotCounter {
  const redis = redisStoreOf(keyv);
  if (redis) {
    const ns = redis.namespace ? `${redis.namespace}${redis.keyPrefixSeparator}` : '';
    return {
      take: (key, max, ttlMs) =>
        storeCall(async () => {
          const client = await redis.getClient();
          const taken = await client.eval(REDIS_TAKE, {
            keys: [ns + key],
            arguments: [String(max), String(Math.max(1, Math.ceil(ttlMs)))],
          });
          return Number(taken) === 1;
        }),
      giveBack: (key) =>
        storeCall(async () => {
          const client = await redis.getClient();
          await client.eval(REDIS_GIVE_BACK, { keys: [ns + key], arguments: [] });
        }),
    };
  }
  const store: unknown = keyv.store;
  if (isSqlStore(store) && (store.opts.dialect === 'sqlite' || store.opts.dialect === 'postgres')) {
    return sqlCounter(store, store.opts.dialect, physicalPrefix(keyv, ':'));
  }
  return localCounter(keyv);
}

const REDIS_TAKE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
if n == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

const REDIS_GIVE_BACK = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

function sqlCounter(store: SqlStore, dialect: 'sqlite' | 'postgres', ns: string): SlotCounter {
  const table = sqlTable(store, dialect);
  // One statement each. A row that is not Keyv's JSON (written by hand) fails the statement: a StoreError,
  // never a silent pass.
  const take =
    dialect === 'sqlite'
      ? `INSERT INTO ${table} AS t (key, value) VALUES (?, json_object('value', 1, 'expires', ?))
         ON CONFLICT(key) DO UPDATE SET value = json_set(t.value, '$.value', json_extract(t.value, '$.value') + 1)
         WHERE json_extract(t.value, '$.value') < ?
         RETURNING key`
      : `INSERT INTO ${table} AS t (key, value) VALUES ($1, json_build_object('value', 1, 'expires', $2::bigint)::text)
         ON CONFLICT (key) DO UPDATE
           SET value = jsonb_set(t.value::jsonb, '{value}', to_jsonb((t.value::jsonb->>'value')::bigint + 1))::text
         WHERE (t.value::jsonb->>'value')::bigint < $3
         RETURNING key`;
  const giveBack =
    dialect === 'sqlite'
      ? `UPDATE ${table} SET value = json_set(value, '$.value', json_extract(value, '$.value') - 1)
         WHERE key = ? AND json_extract(value, '$.value') > 0`
      : `UPDATE ${table} SET value = jsonb_set(value::jsonb, '{value}', to_jsonb((value::jsonb->>'value')::bigint - 1))::text
         WHERE key = $1 AND (value::jsonb->>'value')::bigint > 0`;
  return {
    take: (key, max, ttlMs) =>
      storeCall(async () => {
        // One array of bindings fits both adapters' query() (see scan-keys.ts).
        const rows = (await store.query(take, [ns + key, Date.now() + ttlMs, max])) as unknown[];
        return rows.length > 0;
      }),
    giveBack: (key) =>
      storeCall(async () => {
        await store.query(giveBack, [ns + key]);
      }),
  };
}

function localCounter(keyv: Keyv): SlotCounter {
  // For a Map or an unknown adapter createStoreLock is the in-process mutex, shared by every Keyv on the store.
  const lock = createStoreLock(keyv);
  const used = async (key: string) => Number((await keyv.get<number>(key)) ?? 0);
  return {
    take: (key, max, ttlMs) =>
      storeCall(() =>
        lock(`slots:${key}`, async () => {
          const n = await used(key);
          if (n >= max) return false;
          // The first slot fixes the expiry; later ones keep it, as the other backends do.
          const expires = n === 0 ? ttlMs : await remainingMs(keyv, key, ttlMs);
          await keyv.set(key, n + 1, expires);
          return true;
        }),
      ),
    giveBack: (key) =>
      storeCall(() =>
        lock(`slots:${key}`, async () => {
          const n = await used(key);
          if (n > 0) await keyv.set(key, n - 1, await remainingMs(keyv, key, 1));
        }),
      ),
  };
}

/** What is left of a key's lifetime, from Keyv's raw entry; `fallbackMs` when it does not say. */
async function remainingMs(keyv: Keyv, key: string, fallbackMs: number): Promise<number> {
  const raw = (await keyv.get(key, { raw: true })) as { expires?: number | null } | undefined;
  return typeof raw?.expires === 'number' ? Math.max(1, raw.expires - Date.now()) : fallbackMs;
}
