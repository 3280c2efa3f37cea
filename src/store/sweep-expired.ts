import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { isSqlStore, physicalPrefix, type SqlStore, sqlTable, upperBound } from './scan-keys.js';

/** Rows deleted by one sweep at most: the statement holds sqlite's write lock for one bounded batch. */
export const DEFAULT_SWEEP_LIMIT = 1_000;

/**
 * Deletes up to `limit` rows of this Keyv's namespace whose TTL passed before `now`, in one statement, and
 * returns how many. sqlite and PostgreSQL keep a TTL'd key (replay claims, form state, processed callback
 * events, the slot counters) until someone reads it after it expired, which for most of them never happens:
 * without a sweep the table grows by about a row per request. Rows without an expiry (records, their index,
 * customers) are never touched, nor rows of other namespaces sharing the table.
 *
 * Keyv keeps the expiry inside the serialized value (`{"value":…,"expires":ms}`), so the statement reads it:
 * - sqlite: `json_extract(value, '$.expires')`, behind `json_valid`, so a row that is not JSON is skipped
 *   instead of failing every sweep from then on;
 * - PostgreSQL (no error-free JSON parse before version 16): the number of the `"expires"` member that closes
 *   the top-level object. Keyv writes `expires` last (`JSON.stringify({ value, expires })`), and so do the slot
 *   counter's `json_build_object` and `jsonb_set` (jsonb orders `value` before `expires`); a nested
 *   `"expires"` is always followed by more than one `}`, so it never matches.
 *
 * The expiry test is repeated on the DELETE itself: on PostgreSQL a row rewritten with a fresh TTL between the
 * subquery's read and the delete (a claim taken again) is rechecked against its new value and kept.
 *
 * Redis expires keys itself and a Map is for tests, where Keyv's delete-on-read suffices: both return 0.
 * Backend errors are thrown as StoreErrors.
 */
export async function sweepExpiredKeys(
  keyv: Keyv,
  options: { now: number; limit?: number },
): Promise<number> {
  const store: unknown = keyv.store;
  if (!isSqlStore(store) || (store.opts.dialect !== 'sqlite' && store.opts.dialect !== 'postgres')) return 0;
  const limit = options.limit ?? DEFAULT_SWEEP_LIMIT;
  const ns = physicalPrefix(keyv, ':');
  const sql = sweepSql(store, store.opts.dialect);
  return storeCall(async () => {
    // One array of bindings fits both adapters' query() (see scan-keys.ts).
    const rows = (await store.query(sql, [ns, upperBound(ns), Math.floor(options.now), limit])) as unknown[];
    return rows.length;
  });
}

function sweepSql(store: SqlStore, dialect: 'sqlite' | 'postgres'): string {
  const table = sqlTable(store, dialect);
  if (dialect === 'sqlite') {
    const expired = `instr(value, '"expires"') > 0
      AND CASE WHEN json_valid(value) THEN json_extract(value, '$.expires') END < ?3`;
    return `DELETE FROM ${table} WHERE key IN
        (SELECT key FROM ${table} WHERE key >= ?1 AND key < ?2 AND ${expired} LIMIT ?4)
      AND ${expired}
      RETURNING 1 AS n`;
  }
  const expired = `strpos(value, '"expires"') > 0
    AND substring(value from '"expires"\\s*:\\s*(\\d{1,15})(?:\\.\\d*)?\\s*\\}\\s*$')::bigint < $3`;
  return `DELETE FROM ${table} WHERE key IN
      (SELECT key FROM ${table} WHERE key COLLATE "C" >= $1 AND key COLLATE "C" < $2 AND ${expired} LIMIT $4)
    AND ${expired}
    RETURNING 1 AS n`;
}

/** The running sweep schedule. */
export interface ExpiredSweep {
  /** Stops the schedule and waits for a sweep in progress, so the store can be closed after it. */
  stop(): Promise<void>;
}

export interface ExpiredSweepOptions {
  /** Time between sweeps (STORE_SWEEP_INTERVAL). The first runs one interval after start. */
  intervalMs: number;
  /** Rows deleted per sweep at most. Default {@link DEFAULT_SWEEP_LIMIT}. */
  limit?: number;
  logger?: StoreLogger & { info(details: Record<string, unknown>, message: string): void };
  now?: () => number;
}

/**
 * Sweeps expired keys every `intervalMs` on an unref'd timer (it never holds the process open). Only on
 * sqlite and PostgreSQL; elsewhere nothing is scheduled. Every instance sharing a database may run it:
 * deleting a row another instance already deleted is a no-op. A sweep still running when the next is due
 * is not doubled; a failed sweep is logged and the next one tries again.
 */
export function startExpiredSweep(keyv: Keyv, options: ExpiredSweepOptions): ExpiredSweep {
  const store: unknown = keyv.store;
  if (!isSqlStore(store) || (store.opts.dialect !== 'sqlite' && store.opts.dialect !== 'postgres')) {
    return { stop: async () => undefined };
  }
  const now = options.now ?? Date.now;
  const { logger, limit } = options;
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= sweepExpiredKeys(keyv, { now: now(), ...(limit === undefined ? {} : { limit }) })
      .then(
        (deleted) => {
          if (deleted > 0) logger?.info({ deleted }, 'store: removed expired keys');
        },
        (error: unknown) =>
          logger?.warn({ err: error }, 'store: sweep of expired keys failed; retried later'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
