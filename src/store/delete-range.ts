import type { Keyv } from 'keyv';
import { isSqlStore, physicalPrefix, type SqlStore, scanKeys, sqlTable } from './scan-keys.js';

/** Rows deleted per statement: another writer (the bot, another process on sqlite) waits one batch at most. */
const BATCH = 1_000;

/**
 * Deletes every logical key that starts with `prefix` and sorts before `below` (code unit order), and returns
 * how many. Used to prune time-ordered keys (`audit:{ms}:…`) without reading them:
 *
 * - sqlite, PostgreSQL: `DELETE … WHERE key IN (a bounded range of the primary key, LIMIT 1000)` until a batch
 *   comes back short. Memory stays bounded however many rows go.
 * - Redis, Map, others: the matching keys are listed ({@link scanKeys}), then deleted 1000 at a time.
 *
 * Backend errors are thrown as they come; wrap in `storeCall`.
 */
export async function deleteKeysBelow(keyv: Keyv, prefix: string, below: string): Promise<number> {
  const store: unknown = keyv.store;
  if (isSqlStore(store) && (store.opts.dialect === 'sqlite' || store.opts.dialect === 'postgres')) {
    return deleteSqlRange(store, store.opts.dialect, physicalPrefix(keyv, ':'), prefix, below);
  }
  const keys = (await scanKeys(keyv, prefix)).filter((key) => key < below);
  for (let i = 0; i < keys.length; i += BATCH) await keyv.deleteMany(keys.slice(i, i + BATCH));
  return keys.length;
}

async function deleteSqlRange(
  store: SqlStore,
  dialect: 'sqlite' | 'postgres',
  ns: string,
  prefix: string,
  below: string,
): Promise<number> {
  const table = sqlTable(store, dialect);
  const sql =
    dialect === 'sqlite'
      ? `DELETE FROM ${table} WHERE key IN
           (SELECT key FROM ${table} WHERE key >= ? AND key < ? ORDER BY key LIMIT ?) RETURNING 1 AS n`
      : `DELETE FROM ${table} WHERE key IN
           (SELECT key FROM ${table} WHERE key COLLATE "C" >= $1 AND key COLLATE "C" < $2 LIMIT $3) RETURNING 1 AS n`;
  let deleted = 0;
  for (;;) {
    const rows = (await store.query(sql, [ns + prefix, ns + below, BATCH])) as unknown[];
    deleted += rows.length;
    if (rows.length < BATCH) return deleted;
  }
}
