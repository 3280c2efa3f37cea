import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type KeyvPostgres from '@keyv/postgres';
import KeyvSqlite from '@keyv/sqlite';
import { Keyv } from 'keyv';
import { ConfigError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';

/** Options for {@link openKeyv}. */
export interface OpenKeyvOptions {
  /**
   * Keyv namespace: every key is stored as `{namespace}:{key}` (`{namespace}::{key}` on Redis), so several
   * bots or test runs can share one database. Letters, digits and `-` only: Keyv strips the namespace by
   * splitting on `:`, and sqlite/PostgreSQL `clear()` match it with LIKE, where `_` is a wildcard.
   * Default `contactway`.
   */
  namespace?: string;
  /**
   * Told about errors the backend reports between calls (a Redis connection dropping and reconnecting), which
   * no caller would otherwise see. Failures of a call are thrown to that caller regardless.
   */
  logger?: StoreLogger;
}

export const DEFAULT_NAMESPACE = 'contactway';

/** How long one Redis connection attempt may take. */
const REDIS_CONNECT_TIMEOUT_MS = 2_000;
/** Reconnection attempts (100 ms doubling, ≈3 s in all) before the operations waiting on Redis fail. */
const REDIS_MAX_RETRIES = 5;
/** How long a sqlite writer waits for another connection's lock (another process on the same file). */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** Page size for Keyv's own `iterator()` (sqlite and PostgreSQL default to 10 rows per query). */
const ITERATION_LIMIT = 1_000;
/**
 * Width of the PostgreSQL key column when the adapter creates the table (its default is 255). Index keys hold
 * an encoded requester key and a config id of up to 128 characters; 255 would reject some of them.
 */
const POSTGRES_KEY_SIZE = 1_024;

const NAMESPACE = /^[A-Za-z0-9-]{1,64}$/;

/** Owner-only modes for what the store creates on disk. */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/**
 * Opens the one Keyv the process shares (records, audit, WeCom token cache, idempotency keys, locks) from
 * `STORE_URL`:
 *
 * - `sqlite://data/x.sqlite` (relative to the working directory), `sqlite:///abs/x.sqlite`; the folder is
 *   created. `sqlite://:memory:` is an in-process database.
 * - `redis://…`, `rediss://…`
 * - `postgres://…`, `postgresql://…`
 * - `memory:`: a Map, for unit tests; each call gets a new, empty Map.
 *
 * `throwOnErrors` is on, so a failing backend throws instead of reading as `undefined` ("not found" would make
 * us lose track of a config_id); wrap calls in {@link storeCall} to get a StoreError.
 *
 * The Redis and PostgreSQL clients are imported only when the URL names them: together they cost a sqlite
 * deployment ~200 ms of start-up and ~15 MB it would never use.
 *
 * @throws ConfigError naming STORE_URL when the URL is not one of the above or its folder cannot be created.
 */
export async function openKeyv(url: string, options: OpenKeyvOptions = {}): Promise<Keyv> {
  const keyv = await openBackend(url, options.namespace ?? DEFAULT_NAMESPACE);
  const { logger } = options;
  if (logger) keyv.on('error', (error: unknown) => logger.warn({ error }, 'store: backend error'));
  return keyv;
}

async function openBackend(url: string, namespace: string): Promise<Keyv> {
  if (!NAMESPACE.test(namespace)) {
    throw new ConfigError(
      t(
        'The store namespace must be 1–64 letters, digits or "-".',
        '存储命名空间须为 1–64 位字母、数字或 "-"。',
      ),
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return createMemoryKeyv(new Map(), namespace);
    case 'sqlite':
      return openSqlite(url, namespace);
    case 'redis':
    case 'rediss':
      assertUrl(url);
      return openRedis(url, namespace);
    case 'postgres':
    case 'postgresql': {
      assertUrl(url);
      const { default: KeyvPostgres } = await import('@keyv/postgres');
      const store = new KeyvPostgres({
        uri: url,
        iterationLimit: ITERATION_LIMIT,
        keySize: POSTGRES_KEY_SIZE,
      });
      openPostgresStores.add(store);
      return new Keyv({ store, namespace, throwOnErrors: true });
    }
    default:
      // Only the scheme is named: the rest of a URL may hold a password.
      throw badUrl(scheme ? `unsupported scheme "${scheme}:"` : 'no scheme');
  }
}

/**
 * A Keyv over a Map, configured exactly like the real backends (namespace, `throwOnErrors`). Tests pass the
 * same Map twice to get two "connections" to one store.
 */
export function createMemoryKeyv(map: Map<string, unknown> = new Map(), namespace = DEFAULT_NAMESPACE): Keyv {
  // biome-ignore lint/suspicious/noExplicitAny: Keyv accepts a Map as a store but types it as an adapter.
  return new Keyv({ store: map as any, namespace, throwOnErrors: true });
}

/**
 * Closes the Keyv's connection. @keyv/postgres keeps one module-wide pool per URL and its `disconnect()` ends
 * that pool for every Keyv using it, so the pool is only ended when the last PostgreSQL Keyv of this process
 * closes.
 *
 * @throws StoreError when the backend fails to close.
 */
export async function closeKeyv(keyv: Keyv): Promise<void> {
  const store: unknown = keyv.store;
  if (store instanceof Map) return;
  if (openPostgresStores.has(store as KeyvPostgres)) {
    openPostgresStores.delete(store as KeyvPostgres);
    if (openPostgresStores.size > 0) return;
  }
  await storeCall(() => keyv.disconnect());
}

const openPostgresStores = new Set<KeyvPostgres>();

function openSqlite(url: string, namespace: string): Keyv {
  const location = url.replace(/^sqlite:(\/\/)?/i, '');
  if (location === '') throw badUrl('no database path after sqlite://');
  const inMemory = location === ':memory:';
  const path = inMemory ? location : resolve(location);
  if (!inMemory) {
    try {
      // Records, the audit trail and the cached WeCom access token live in this file: the bot's user only.
      // sqlite creates the -wal and -shm files with the database file's permissions. Modes apply only to
      // what is created here; an existing file or folder keeps its own.
      mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR });
      closeSync(openSync(path, 'a', PRIVATE_FILE));
    } catch (error) {
      throw new ConfigError(
        t(
          `STORE_URL: cannot create the sqlite database or its folder (${path}).`,
          `STORE_URL：无法创建 sqlite 数据库或其所在的文件夹（${path}）。`,
        ),
        { cause: error },
      );
    }
  }
  const store = new KeyvSqlite({
    uri: `sqlite://${path}`,
    busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
    iterationLimit: ITERATION_LIMIT,
  });
  // WAL lets readers and one writer (possibly another process: the bot and a CLI) work at the same time.
  // Issuing it now also attaches a handler to the adapter's connection promise: without one, a file that
  // cannot be opened becomes an unhandled rejection and kills the process before any query reports it.
  // Failures are ignored here on purpose; the first real query reports them as a StoreError.
  store.query('PRAGMA journal_mode=WAL').catch(() => undefined);
  return new Keyv({ store, namespace, throwOnErrors: true });
}

/**
 * Redis as `@keyv/redis`'s `createKeyv` builds it (the adapter prefixes `{namespace}::`, Keyv does not), but
 * with a reconnect strategy that gives up. The adapter's default retries forever, so with Redis down every
 * call would hang; its `connectionTimeout` option instead leaves a timer that holds a CLI process open for
 * seconds after its work is done. Giving up closes the client; the adapter reconnects on the next call.
 */
async function openRedis(url: string, namespace: string): Promise<Keyv> {
  const { default: KeyvRedis } = await import('@keyv/redis');
  const store = new KeyvRedis(
    {
      url,
      socket: {
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
        reconnectStrategy: (retries: number) =>
          retries >= REDIS_MAX_RETRIES
            ? new Error('Redis is unreachable')
            : Math.min(2 ** retries * 100, 2_000),
      },
    },
    { namespace, throwOnErrors: true },
  );
  return new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true });
}

function assertUrl(url: string): void {
  if (!URL.canParse(url)) throw badUrl('not a valid URL');
}

function badUrl(reason: string): ConfigError {
  return new ConfigError(
    t(
      `STORE_URL is invalid (${reason}): use sqlite://path, redis://host:port, rediss://…, postgres://… or memory:.`,
      `STORE_URL 无效（${reason}）：请使用 sqlite://路径、redis://主机:端口、rediss://…、postgres://… 或 memory:。`,
    ),
  );
}
