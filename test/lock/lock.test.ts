import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/base/errors.js';
import { advisoryLockId, type PostgresLockStore } from '../../src/lock/postgres-lock.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createIdempotency } from '../../src/service/idempotency.js';
import {
  closeKeyv,
  createMemoryKeyv,
  createStoreLock,
  LockTimeoutError,
  openKeyv,
  type StoreLock,
  type StoreLogger,
} from '../../src/store/index.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';

/** The adapter's own query(), to read what the server holds. */
type SqlStore = { query(sql: string, values?: unknown[]): Promise<unknown[]> };

/** Resolves after the current macrotask queue: lets other holders run without a timer-based sleep. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `n` critical sections through the given locks (round robin), each a read-modify-write of `counter` with
 * a pause in the middle. Without mutual exclusion increments are lost and `maxInside` exceeds 1.
 */
async function contend(locks: StoreLock[], n: number, pause: () => Promise<void> = tick) {
  let counter = 0;
  let inside = 0;
  let maxInside = 0;
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      locks[i % locks.length]!('counter', async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        const read = counter;
        await pause();
        counter = read + 1;
        inside--;
      }),
    ),
  );
  return { counter, maxInside };
}

describe('store lock, in-process (memory, sqlite)', () => {
  it('GIVEN one key THEN holders run one at a time and none is lost', async () => {
    const lock = createStoreLock(createMemoryKeyv());
    expect(await contend([lock], 30)).toEqual({ counter: 30, maxInside: 1 });
  });

  it('GIVEN two Keyvs over one Map THEN they share the mutex', async () => {
    const map = new Map<string, unknown>();
    const locks = [createStoreLock(createMemoryKeyv(map)), createStoreLock(createMemoryKeyv(map))];
    expect(await contend(locks, 30)).toEqual({ counter: 30, maxInside: 1 });
  });

  it('GIVEN two keys THEN they do not wait for each other', async () => {
    const lock = createStoreLock(createMemoryKeyv());
    let release!: () => void;
    const held = lock('a', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(lock('b', async () => 'b ran')).resolves.toBe('b ran');
    release();
    await held;
  });

  it('GIVEN a holder that throws THEN the error reaches it and the next holder gets the lock', async () => {
    const lock = createStoreLock(createMemoryKeyv());
    await expect(lock('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock('k', async () => 'next')).resolves.toBe('next');
  });
});

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) console.warn('Redis lock tests skipped: set REDIS_URL=redis://127.0.0.1:6379 to run them.');

interface RawRedis {
  set(key: string, value: string, options?: object): Promise<unknown>;
  get(key: string): Promise<string | null>;
  pTTL(key: string): Promise<number>;
}

describe.skipIf(!redisUrl)('store lock on Redis, two connections as two instances', () => {
  const namespace = `lock-test-${randomBytes(4).toString('hex')}`;
  const opened: Keyv[] = [];
  const open = async () => {
    const keyv = await openKeyv(redisUrl!, { namespace });
    opened.push(keyv);
    return keyv;
  };
  let raw: RawRedis;
  /** The physical key of lock `key`, as @keyv/redis prefixes it. */
  const physical = (key: string) => `${namespace}::lock:${key}`;

  beforeAll(async () => {
    raw = await ((await open()).store as unknown as { getClient(): Promise<RawRedis> }).getClient();
  });

  afterAll(async () => {
    await opened[0]?.clear();
    for (const keyv of opened) await closeKeyv(keyv);
  });

  it('GIVEN contention from two connections THEN one holder at a time and no increment lost', async () => {
    const locks = [
      createStoreLock(await open(), { pollMs: 5 }),
      createStoreLock(await open(), { pollMs: 5 }),
    ];
    // A real pause: the other connection must be polling Redis while the first holds the lock.
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    expect(await contend(locks, 20, pause)).toEqual({ counter: 20, maxInside: 1 });
    expect(await raw.get(physical('counter'))).toBeNull();
  });

  it('GIVEN a holder that died THEN its lock expires and the next one takes it', async () => {
    // A dead instance: its lock is set and never released.
    await raw.set(physical('dead'), 'token-of-a-dead-instance', { PX: 300 });
    const started = Date.now();
    const result = await createStoreLock(await open(), { pollMs: 20 })('dead', async () => 'taken');
    expect(result).toBe('taken');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(await raw.get(physical('dead'))).toBeNull();
  });

  it('GIVEN the lock passed to another holder THEN the former holder does not release it', async () => {
    await createStoreLock(await open())('owned', async () => {
      // As if our lock expired and another instance took it while we worked.
      await raw.set(physical('owned'), 'someone-else', { PX: 5_000 });
    });
    expect(await raw.get(physical('owned'))).toBe('someone-else');
  });

  it('GIVEN a holder that works longer than the TTL THEN it keeps the lock by renewing it', async () => {
    // A TTL long enough that a loaded machine's late renewal (every ttl/3) still lands before it lapses.
    const lockA = createStoreLock(await open(), { ttlMs: 900 });
    const lockB = createStoreLock(await open(), { ttlMs: 900, pollMs: 10 });
    const events: string[] = [];
    const a = lockA('long', async () => {
      events.push('a start');
      await new Promise((resolve) => setTimeout(resolve, 2_700));
      events.push('a end');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await lockB('long', async () => {
      events.push('b');
    });
    await a;
    expect(events).toEqual(['a start', 'a end', 'b']);
  });

  it('GIVEN a lock held past maxWaitMs THEN LockTimeoutError (a StoreError), fn never runs, polls jittered', async () => {
    await raw.set(physical('busy'), 'held-elsewhere', { PX: 10_000 });
    let clock = 0;
    const waits: number[] = [];
    let draw = 0;
    const lock = createStoreLock(await open(), {
      maxWaitMs: 1_000,
      pollMs: 100,
      now: () => clock,
      random: () => [0, 0.99, 0.5][draw++ % 3]!,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    let ran = false;
    const error = await lock('busy', async () => {
      ran = true;
    }).catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).human.en).toMatch(/Another instance is still working on this/);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(1_000);
    for (const w of waits.slice(0, -1)) {
      expect(w).toBeGreaterThanOrEqual(50);
      expect(w).toBeLessThan(150);
    }
    expect(new Set(waits.slice(0, 3)).size).toBe(3);
    // The foreign lock is untouched.
    expect(await raw.get(physical('busy'))).toBe('held-elsewhere');
  });

  it('GIVEN Redis unreachable THEN a StoreError, not a hang', async () => {
    const down = await openKeyv('redis://127.0.0.1:1', { namespace });
    const error = await createStoreLock(down)('x', async () => 'ran').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    await closeKeyv(down).catch(() => undefined);
  }, 15_000);

  whatItGuards(open);
});

const postgresUrl = process.env.POSTGRES_URL;
if (!postgresUrl) {
  console.warn(
    'PostgreSQL lock tests skipped: set POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run them.',
  );
}

describe.skipIf(!postgresUrl)('store lock on PostgreSQL, two connections as two instances', () => {
  const namespace = `lock-test-${randomBytes(4).toString('hex')}`;
  const opened: Keyv[] = [];
  const open = async (ns = namespace) => {
    const keyv = await openKeyv(postgresUrl!, { namespace: ns });
    opened.push(keyv);
    return keyv;
  };
  /** The server's view: sessions holding the advisory lock of `key` in `keyv`'s namespace right now. */
  const holders = async (keyv: Keyv, key: string) => {
    const id = advisoryLockId(keyv.store as PostgresLockStore, keyv.namespace ?? '', key);
    const rows = (await (keyv.store as unknown as SqlStore).query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted
         AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
      [id],
    )) as { pid: number }[];
    return rows.map((r) => r.pid);
  };

  afterAll(async () => {
    await opened[0]?.clear();
    for (const keyv of opened) await closeKeyv(keyv);
  });

  it('GIVEN contention from two connections THEN one holder at a time and no increment lost', async () => {
    const locks = [
      createStoreLock(await open(), { pollMs: 5 }),
      createStoreLock(await open(), { pollMs: 5 }),
    ];
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
    expect(await contend(locks, 20, pause)).toEqual({ counter: 20, maxInside: 1 });
  });

  it('GIVEN the same key in another namespace THEN the locks are independent', async () => {
    const lock = createStoreLock(await open(), { maxWaitMs: 200 });
    const other = createStoreLock(await open(`${namespace}-other`), { maxWaitMs: 200 });
    const result = await lock('shared-name', () => other('shared-name', async () => 'both held'));
    expect(result).toBe('both held');
  });

  it('GIVEN a lock held past maxWaitMs THEN LockTimeoutError (a StoreError) and fn never runs', async () => {
    const holder = createStoreLock(await open());
    let clock = 0;
    const waits: number[] = [];
    const waiter = createStoreLock(await open(), {
      maxWaitMs: 1_000,
      pollMs: 100,
      now: () => clock,
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    let ran = false;
    const error = await holder('busy', () =>
      waiter('busy', async () => {
        ran = true;
      }).catch((e: unknown) => e),
    );
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toBeInstanceOf(StoreError);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(1_000);
  });

  it('GIVEN a holder done THEN the server holds its lock no more, also after a second take', async () => {
    const keyv = await open();
    const lock = createStoreLock(keyv);
    expect(await lock('counted', () => holders(keyv, 'counted'))).toHaveLength(1);
    expect(await holders(keyv, 'counted')).toEqual([]);
    await lock('counted', async () => undefined);
    expect(await holders(keyv, 'counted')).toEqual([]);
  });

  it('GIVEN the connection holding a lock is cut THEN the lock is released and a warning says so', async () => {
    const keyv = await open();
    const warnings: string[] = [];
    const logger = { warn: (_: object, msg: string) => warnings.push(msg) } as unknown as StoreLogger;
    const lock = createStoreLock(keyv, { logger });
    const next = createStoreLock(await open(), { pollMs: 10, maxWaitMs: 5_000 });
    let taken = false;
    await lock('cut', async () => {
      // As if the network or the server dropped the session while we worked.
      const [pid] = await holders(keyv, 'cut');
      await (keyv.store as unknown as SqlStore).query('SELECT pg_terminate_backend($1)', [pid]);
      taken = await next('cut', async () => true);
    });
    expect(taken).toBe(true);
    expect(warnings).toContain(
      'store lock: PostgreSQL connection lost while held; the server released the locks',
    );
    // The next lock opens a new session.
    await expect(lock('cut', async () => 'reconnected')).resolves.toBe('reconnected');
  });

  it('GIVEN PostgreSQL unreachable THEN a StoreError, not a hang', async () => {
    const down = await openKeyv('postgres://postgres@127.0.0.1:1/test', { namespace });
    down.on('error', () => undefined);
    const error = await createStoreLock(down)('x', async () => 'ran').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    await closeKeyv(down).catch(() => undefined);
  }, 15_000);

  whatItGuards(() => open());
});

/** The two jobs the lock has, each by two instances (two connections) on one store. */
function whatItGuards(open: () => Promise<Keyv>) {
  describe('what it guards', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ corpId: `ww_lock_${randomBytes(4).toString('hex')}` });
    });
    afterAll(() => sandbox.close());

    it('GIVEN two instances on a cold token cache THEN exactly one gettoken, and both use that token', async () => {
      const instance = async () => {
        const keyv = await open();
        return createWecomClient({
          baseUrl: sandbox.url,
          tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
          cache: keyv,
          lock: createStoreLock(keyv, { pollMs: 5 }),
        });
      };
      const [one, two] = [await instance(), await instance()];
      const tokens = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).accessToken()),
      );
      expect(new Set(tokens).size).toBe(1);
      expect(sandbox.stats().gettoken).toBe(1);
      await expect(one.listContactWay()).resolves.toBeDefined();
      await expect(two.listContactWay()).resolves.toBeDefined();
      expect(sandbox.stats().gettoken).toBe(1);
    });

    it('GIVEN one submission delivered to two instances THEN it runs once and both get its id', async () => {
      let runs = 0;
      const instance = async () => {
        const keyv = await open();
        return createIdempotency(keyv, createStoreLock(keyv, { pollMs: 5 }));
      };
      const submit = (idem: ReturnType<typeof createIdempotency>) =>
        idem.once(
          'slack:T1:U1:view-42',
          async () => {
            runs++;
            await new Promise((resolve) => setTimeout(resolve, 30));
            return { id: 'cfg-created', replayed: false };
          },
          (result) => result.id,
          async (id) => ({ id, replayed: true }),
        );
      const results = await Promise.all([submit(await instance()), submit(await instance())]);
      expect(runs).toBe(1);
      expect(results.map((r) => r.id)).toEqual(['cfg-created', 'cfg-created']);
      expect(results.filter((r) => r.replayed)).toHaveLength(1);
    });
  });
}
