import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { storeCall } from '../base/store-call.js';
import type { StoreLogger } from '../base/store-logger.js';
import type { StoreLock } from './lock.js';
import { type LockWait, waitForLock } from './lock-wait.js';

/** The @keyv/postgres adapter behind a Keyv, recognised by shape as in scan-keys.ts. */
export interface PostgresLockStore {
  opts: { dialect?: string; uri?: string; schema?: string; table?: string };
}

export function postgresStoreOf(keyv: Keyv): PostgresLockStore | undefined {
  const store = keyv.store as Partial<PostgresLockStore> | null | undefined;
  return store?.opts?.dialect === 'postgres' && typeof store.opts.uri === 'string'
    ? (store as PostgresLockStore)
    : undefined;
}

/**
 * The advisory-lock id of lock `key`: 64 bits of a hash over our own prefix, the table and the namespace, so
 * other applications on the same database (which mostly number their advisory locks 1, 2, 3…) and other bots
 * sharing it do not take ours. A collision would only make two unrelated locks wait for each other.
 */
export function advisoryLockId(store: PostgresLockStore, namespace: string, key: string): string {
  const scope = `${store.opts.schema ?? 'public'}.${store.opts.table ?? 'keyv'}`;
  const digest = createHash('sha256').update(`contactway-lock\0${scope}\0${namespace}\0${key}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/** How long one connection attempt may take, as for Redis: an unreachable database must fail, not hang. */
const CONNECT_TIMEOUT_MS = 2_000;
/** A try or a release is instant on a live server; longer means the connection is in doubt. */
const QUERY_TIMEOUT_MS = 5_000;
/** How long the connection stays open after the last lock is released, for the next one to reuse. */
const LINGER_MS = 1_000;
/**
 * The server notices a silent death of our host (power, network) by TCP keepalive only, and releases the
 * locks then: ≈10 s idle + 3 probes 5 s apart instead of the OS default of two hours. A killed process
 * closes its socket and is noticed at once.
 */
const SERVER_KEEPALIVES =
  'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3';

/** The calls we make on a `pg` Client (pg ships no types of its own; these are all we use). */
interface PgClient {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
}
type PgModule = { default: { Client: new (config: Record<string, unknown>) => PgClient } };
// A variable, so TypeScript does not look for pg's (absent) declarations; PgClient says what we use.
const PG = 'pg';

interface Connection {
  client: PgClient;
  alive: boolean;
  /** Keys held on this connection, to say which were lost when it drops. */
  held: Set<string>;
  /** Makes the session forget this connection, so the next lock opens a new one. */
  gone: () => void;
}

/**
 * One PostgreSQL session per store object that holds every advisory lock this process takes on it. Session
 * locks belong to a connection, so each is taken and released on this one; a process that dies closes it and
 * the server releases its locks at once. It is a connection of its own, not one of the adapter's pool: a lock
 * held across a slow WeCom call can never take a connection the store's queries need, and a holder that
 * takes a second lock (a submission refreshing the token) needs no second connection.
 */
function lockSession(uri: string, logger: StoreLogger | undefined) {
  let current: Promise<Connection> | undefined;
  let users = 0;
  let idle: NodeJS.Timeout | undefined;

  const discard = (connection: Connection, error?: unknown) => {
    if (!connection.alive) return;
    connection.alive = false;
    connection.gone();
    if (connection.held.size > 0) {
      logger?.warn(
        { locks: [...connection.held], error },
        'store lock: PostgreSQL connection lost while held; the server released the locks',
      );
    }
    connection.client.end().catch(() => undefined);
  };

  async function open(gone: () => void): Promise<Connection> {
    const { default: pg } = (await import(PG)) as PgModule;
    const client = new pg.Client({
      connectionString: uri,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'contactway-lock',
    });
    const connection: Connection = { client, alive: true, held: new Set(), gone };
    client.on('error', (error) => discard(connection, error));
    client.on('end', () => discard(connection));
    try {
      await client.connect();
      await client.query(SERVER_KEEPALIVES);
    } catch (error) {
      discard(connection, error);
      throw error;
    }
    return connection;
  }

  /** The live connection, opened when there is none (a dropped one forgets itself, see `gone`). */
  function connection(): Promise<Connection> {
    if (!current) {
      const opening: Promise<Connection> = open(() => {
        if (current === opening) current = undefined;
      });
      current = opening;
    }
    return current;
  }

  /** Runs one lock query; any failure leaves the connection in doubt, so it is closed (releasing its locks). */
  async function query(connection: Connection, text: string, id: string): Promise<unknown> {
    try {
      const { rows } = await connection.client.query(text, [id]);
      return rows[0]?.answer;
    } catch (error) {
      discard(connection, error);
      throw error;
    }
  }

  return {
    /** Takes lock `id` (named `key`) now if no other session holds it; returns the connection holding it. */
    async tryTake(key: string, id: string): Promise<Connection | undefined> {
      const live = await connection();
      if ((await query(live, 'SELECT pg_try_advisory_lock($1::bigint) AS answer', id)) !== true)
        return undefined;
      live.held.add(key);
      return live;
    },
    async release(connection: Connection, key: string, id: string): Promise<void> {
      connection.held.delete(key);
      if (!connection.alive) return; // already reported lost
      try {
        const released = await query(connection, 'SELECT pg_advisory_unlock($1::bigint) AS answer', id);
        if (released !== true) logger?.warn({ lock: key }, 'store lock: not held at release');
      } catch (error) {
        logger?.warn({ lock: key, error }, 'store lock: release failed; closing the connection released it');
      }
    },
    enter() {
      users++;
      clearTimeout(idle);
    },
    leave() {
      if (--users > 0) return;
      idle = setTimeout(() => {
        const closing = current;
        current = undefined;
        closing?.then(discard, () => undefined);
      }, LINGER_MS);
      idle.unref();
    },
  };
}

type LockSession = ReturnType<typeof lockSession>;
/** Per store object, like the in-process mutex in front of it: two Keyvs over one adapter are one instance. */
const sessionsByStore = new WeakMap<object, LockSession>();

/**
 * The cross-process lock on PostgreSQL: `pg_try_advisory_lock` on the process's lock session, polled like the
 * Redis lock (same `maxWaitMs`, jittered `pollMs`, {@link LockTimeoutError}), released with
 * `pg_advisory_unlock` on the same session. Callers in one process queue on `local` first, so the session
 * never takes one key twice (advisory locks are re-entrant within a session). No TTL and no renewal: the lock
 * lives exactly as long as its holder's session.
 */
export function createPostgresLock(
  keyv: Keyv,
  store: PostgresLockStore,
  local: StoreLock,
  wait: LockWait,
  logger: StoreLogger | undefined,
): StoreLock {
  let session = sessionsByStore.get(store);
  if (!session) {
    session = lockSession(store.opts.uri ?? '', logger);
    sessionsByStore.set(store, session);
  }
  const { tryTake, release, enter, leave } = session;
  const namespace = keyv.namespace ?? '';
  return (key, fn) => {
    const startedAt = wait.now();
    return local(key, async () => {
      const id = advisoryLockId(store, namespace, key);
      enter();
      try {
        let holding: Connection | undefined;
        await waitForLock(
          key,
          async () => {
            holding = await storeCall(() => tryTake(key, id));
            return holding !== undefined;
          },
          startedAt,
          wait,
        );
        try {
          return await fn();
        } finally {
          await release(holding!, key, id);
        }
      } finally {
        leave();
      }
    });
  };
}
