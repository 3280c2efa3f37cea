import { randomUUID } from 'node:crypto';
import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import { type LockWait, waitForLock } from './lock-wait.js';
import { createPostgresLock, postgresStoreOf } from './postgres-lock.js';

/**
 * Runs `fn` while holding the lock named `key`, then releases it. The one lock type: the WeCom token cache,
 * idempotency and callbacks all take it, and {@link createStoreLock} makes one over the shared store.
 */
export type StoreLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** Holds nothing: for one process, where single-flight or an in-flight map already serialises the work. */
export const noLock: StoreLock = (_key, fn) => fn();

/** Options for {@link createStoreLock}. Every field has a default suited to the bot. */
export interface StoreLockOptions {
  /**
   * How long a Redis lock outlives a holder that died (crash, lost network). A live holder renews it every
   * `ttlMs / 3`, so work longer than the TTL (a slow WeCom call with its retries) keeps it. Default 10 000.
   * PostgreSQL needs none: its lock dies with the holder's connection.
   */
  ttlMs?: number;
  /** How long to wait for a lock another instance holds before failing with LockTimeoutError. Default 30 000. */
  maxWaitMs?: number;
  /** Base delay between two tries for a lock another instance holds; each wait is 50–150 % of it. Default 50. */
  pollMs?: number;
  now?: () => number;
  /** Waits between tries; tests inject one that advances a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  logger?: StoreLogger;
}

export const DEFAULT_LOCK_TTL_MS = 10_000;
export const DEFAULT_LOCK_MAX_WAIT_MS = 30_000;
export const DEFAULT_LOCK_POLL_MS = 50;

/** Every lock lives under this family prefix (see keys.ts), next to the key it guards: `lock:{key}`. */
export const LOCK_PREFIX = 'lock:';

export { LockTimeoutError } from './lock-wait.js';

// Compare-and-delete / compare-and-extend: only the holder whose random token is stored may release or renew.
const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/**
 * A named lock over the store the process already shares, held by one instance at a time.
 *
 * - **Redis**: `SET lock:{key} {random token} NX PX ttl` on the adapter's own client; a contender polls with a
 *   jittered delay until `maxWaitMs`, then throws {@link LockTimeoutError}. Release and renewal are Lua scripts
 *   that compare the token first, so a holder whose lock expired can never delete its successor's. A holder
 *   that dies keeps the lock until the TTL runs out.
 * - **PostgreSQL**: a session-level advisory lock on a connection of the lock's own, polled and timed out the
 *   same way (see postgres-lock.ts). A holder that dies takes its lock with it at once.
 * - **sqlite, memory**: an in-process mutex per key (shared by every Keyv over the same backend object).
 *   sqlite is single-host and in practice single-process; its writes that must not race (the creation
 *   limit) are single SQL statements anyway.
 *
 * On every backend callers within one process queue on the in-process mutex first, so only one of them at a
 * time waits on the store. In-process waits have no time limit: every holder's work is bounded by its own
 * timeouts (WeCom calls, store calls). Store failures while taking the lock are StoreErrors; a failed release
 * is logged and left to the expiry (Redis) or to closing the connection (PostgreSQL).
 */
export function createStoreLock(keyv: Keyv, options: StoreLockOptions = {}): StoreLock {
  const local = localMutex(keyv);
  const wait: LockWait = {
    maxWaitMs: options.maxWaitMs ?? DEFAULT_LOCK_MAX_WAIT_MS,
    pollMs: options.pollMs ?? DEFAULT_LOCK_POLL_MS,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
  const { logger } = options;
  const postgres = postgresStoreOf(keyv);
  if (postgres) return createPostgresLock(keyv, postgres, local, wait, logger);
  const redis = redisStoreOf(keyv);
  if (!redis) return local;

  const ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const ns = redis.namespace ? `${redis.namespace}${redis.keyPrefixSeparator}` : '';
  const physical = (key: string) => `${ns}${LOCK_PREFIX}${key}`;

  async function acquire(key: string, token: string, startedAt: number): Promise<void> {
    const client = await storeCall(() => redis!.getClient());
    await waitForLock(
      key,
      async () => {
        const answer = await storeCall(() =>
          client.set(physical(key), token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }),
        );
        return answer === 'OK';
      },
      startedAt,
      wait,
    );
  }

  async function compareAnd(script: string, key: string, token: string, extra: string[] = []) {
    const client = await redis!.getClient();
    return client.eval(script, { keys: [physical(key)], arguments: [token, ...extra] });
  }

  return (key, fn) => {
    const startedAt = wait.now();
    return local(key, async () => {
      const token = randomUUID();
      await acquire(key, token, startedAt);
      const renew = setInterval(
        () => {
          compareAnd(RENEW_SCRIPT, key, token, [String(ttlMs)]).then(
            (renewed) => {
              if (renewed !== 1) logger?.warn({ lock: key }, 'store lock: lost while held (expired)');
            },
            (error: unknown) => logger?.warn({ lock: key, error }, 'store lock: renewal failed'),
          );
        },
        Math.max(1, Math.floor(ttlMs / 3)),
      );
      // A renewal timer must never keep a finished process alive.
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await compareAnd(RELEASE_SCRIPT, key, token).catch((error: unknown) =>
          logger?.warn({ lock: key, error }, 'store lock: release failed; it expires on its own'),
        );
      }
    });
  };
}

/** Mutex chains per backend object, so two Keyvs over one Map (or one adapter) share them. */
const mutexesByStore = new WeakMap<object, Map<string, Promise<void>>>();

function localMutex(keyv: Keyv): StoreLock {
  const owner: object = (keyv.store as object | undefined) ?? keyv;
  let tails = mutexesByStore.get(owner);
  if (!tails) {
    tails = new Map();
    mutexesByStore.set(owner, tails);
  }
  const chains = tails;
  return async (key, fn) => {
    const previous = chains.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    chains.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (chains.get(key) === tail) chains.delete(key);
    }
  };
}

export interface RedisLockClient {
  set(
    key: string,
    value: string,
    options: { condition: 'NX'; expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisLockStore {
  opts: { dialect?: string };
  namespace?: string;
  keyPrefixSeparator: string;
  getClient(): Promise<RedisLockClient>;
}

/** The @keyv/redis adapter behind a Keyv, recognised by shape as in scan-keys.ts. */
export function redisStoreOf(keyv: Keyv): RedisLockStore | undefined {
  const store = keyv.store as Partial<RedisLockStore> | null | undefined;
  return store?.opts?.dialect === 'redis' && typeof store.getClient === 'function'
    ? (store as RedisLockStore)
    : undefined;
}
