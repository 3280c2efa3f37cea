import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import { isRedisStore, prefixedKey, redisKey, redisPx, serializeForKeyv } from './native-store.js';
import { isSqlStore, sqlTable } from './scan-keys.js';

/**
 * Writes `value` under `key` only when no live value is there, atomically across every process sharing the
 * store; resolves true when this call wrote it. The value is stored exactly as `keyv.set` would store it, so
 * `keyv.get` reads it back and later `keyv.set` calls overwrite it.
 */
export type SetIfAbsent = (key: string, value: unknown, ttlMs?: number) => Promise<boolean>;

/**
 * Keyv has no set-if-absent, so each backend's native client does it (reached the way `lock.ts` and
 * `scan-keys.ts` reach them):
 *
 * - Redis: `SET key value NX [PX ttl]`.
 * - sqlite and PostgreSQL: `INSERT … ON CONFLICT(key) DO NOTHING RETURNING key` on Keyv's own table: the
 *   primary key decides, whichever process or connection comes first. A row Keyv considers expired (its TTL
 *   passed, not yet swept) is cleared by reading it through Keyv, then the insert is tried once more.
 * - Map (memory): check and set in one synchronous step, atomic within the process that owns the Map.
 *
 * Store failures throw StoreError.
 */
export function createSetIfAbsent(keyv: Keyv): SetIfAbsent {
  const store: unknown = keyv.store;
  const serialize = (value: unknown, ttlMs: number | undefined) => serializeForKeyv(keyv, value, ttlMs);
  const prefixed = (key: string) => prefixedKey(keyv, key);

  let insert: (key: string, serialized: unknown, ttlMs: number | undefined) => Promise<boolean>;
  if (store instanceof Map) {
    insert = async (key, serialized) => {
      const physical = prefixed(key);
      if (store.has(physical)) return false;
      store.set(physical, serialized);
      return true;
    };
  } else if (isSqlStore(store) && (store.opts.dialect === 'sqlite' || store.opts.dialect === 'postgres')) {
    const table = sqlTable(store, store.opts.dialect);
    const sql =
      store.opts.dialect === 'postgres'
        ? `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`
        : `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key`;
    insert = async (key, serialized) => {
      // One array of bindings fits both adapters' `query` (see scan-keys.ts).
      const rows = (await store.query(sql, [prefixed(key), serialized])) as unknown[];
      return rows.length === 1;
    };
  } else if (isRedisStore(store)) {
    insert = async (key, serialized, ttlMs) => {
      const client = await store.getClient();
      const answer = await client.set(
        redisKey(store, key),
        serialized as string,
        ttlMs === undefined ? { condition: 'NX' } : { condition: 'NX', expiration: redisPx(ttlMs) },
      );
      return answer === 'OK';
    };
  } else {
    throw new Error('This Keyv store has no atomic set-if-absent');
  }

  return (key, value, ttlMs) =>
    storeCall(async () => {
      const serialized = await serialize(value, ttlMs);
      if (await insert(key, serialized, ttlMs)) return true;
      // Present, or present but expired: Keyv's read deletes an expired row, after which one retry decides.
      if ((await keyv.get(key)) !== undefined) return false;
      return insert(key, serialized, ttlMs);
    });
}
