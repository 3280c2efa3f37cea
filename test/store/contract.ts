import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, ValidationError } from '../../src/base/errors.js';
import { deleteKeysBelow } from '../../src/store/delete-range.js';
import {
  closeKeyv,
  createAuditLog,
  createRecordStore,
  createSlotCounter,
  requesterKey,
  type StoreLogger,
  scanKeys,
} from '../../src/store/index.js';
import { spawnGroup } from '../fixtures/child-process.js';
import { alice, at, bob, makeRecord } from './fixtures.js';

/** One store backend under test. */
export interface ContractBackend {
  /** Opens a new Keyv, with its own connection, on the same database as every other call. */
  open(namespace: string): Promise<Keyv>;
  /** A STORE_URL another process can open, when the backend can be shared between processes. */
  url?: string;
}

/** Unique per run, so runs sharing one Redis or PostgreSQL never see each other's keys. */
const RUN = `t${process.pid.toString(36)}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
let counter = 0;

/**
 * The store contract: every backend (memory, sqlite, Redis, PostgreSQL) must pass it. `backend` undefined
 * skips the suite (a server that is not configured); the caller warns about it.
 */
export function storeContract(name: string, backend: ContractBackend | undefined): void {
  (backend ? describe : describe.skip)(`store contract: ${name}`, () => {
    const opened: Keyv[] = [];

    /** A fresh namespace per test: tests stay independent and cleanup is one `clear()`. */
    function namespace(): string {
      counter += 1;
      return `${RUN}-${counter}`;
    }

    async function open(ns: string): Promise<Keyv> {
      const keyv = await backend!.open(ns);
      opened.push(keyv);
      return keyv;
    }

    async function reopen(keyv: Keyv): Promise<Keyv> {
      opened.splice(opened.indexOf(keyv), 1);
      await closeKeyv(keyv);
      return open(keyv.namespace!);
    }

    afterEach(async () => {
      const namespaces = new Set<string>();
      for (const keyv of opened.splice(0)) {
        if (keyv.namespace && !namespaces.has(keyv.namespace)) {
          namespaces.add(keyv.namespace);
          await keyv.clear();
        }
        await closeKeyv(keyv);
      }
    });

    function recordingLogger(): StoreLogger & { warnings: Array<Record<string, unknown>> } {
      const warnings: Array<Record<string, unknown>> = [];
      return { warnings, warn: (details) => void warnings.push(details) };
    }

    it('GIVEN a put record THEN get returns it; AFTER remove get, lists and the index forget it', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      const record = makeRecord('cw-1');
      await records.put(record);
      expect(await records.get('cw-1')).toEqual(record);
      expect(await records.get('cw-unknown')).toBeUndefined();

      await records.remove('cw-1');
      expect(await records.get('cw-1')).toBeUndefined();
      expect(await records.listByRequester(requesterKey(alice))).toEqual([]);
      expect(await records.listAll()).toEqual([]);
      expect(await scanKeys(keyv, 'own:')).toEqual([]);
      await expect(records.remove('cw-1')).resolves.toBeUndefined();
    });

    it('GIVEN an invalid record THEN put throws ValidationError and stores nothing', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      await expect(records.put({ ...makeRecord('cw-1'), createdAt: 'yesterday' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(records.put(makeRecord('bad id with spaces'))).rejects.toBeInstanceOf(ValidationError);
      expect(await scanKeys(keyv, '')).toEqual([]);
    });

    it('GIVEN records of several requesters THEN listByRequester returns only theirs, newest first', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      const alice10 = { ...alice, userId: `${alice.userId}0` }; // U00010 starts with U0001: prefix boundary
      await records.put(makeRecord('a-old', alice, { createdAt: at(1) }));
      await records.put(makeRecord('a-new', alice, { createdAt: at(3) }));
      await records.put(makeRecord('a-mid', alice, { createdAt: at(2) }));
      await records.put(makeRecord('b-1', bob, { createdAt: at(4) }));
      await records.put(makeRecord('a10-1', alice10, { createdAt: at(5) }));
      // Other users of the shared Keyv must not leak into listings.
      await keyv.set('wecom-token:ww123', { token: 'x', expiresAtMs: 1 });

      const mine = await records.listByRequester(requesterKey(alice));
      expect(mine.map((r) => r.configId)).toEqual(['a-new', 'a-mid', 'a-old']);
      expect((await records.listByRequester(requesterKey(bob))).map((r) => r.configId)).toEqual(['b-1']);
      expect((await records.listAll()).map((r) => r.configId)).toEqual([
        'a10-1',
        'b-1',
        'a-new',
        'a-mid',
        'a-old',
      ]);
      expect(await records.listByRequester(requesterKey({ ...alice, userId: 'nobody' }))).toEqual([]);
    });

    it('GIVEN requester ids with ":" and glob/LIKE characters THEN listing stays exact', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      const odd = { platform: 'console', workspaceId: 'host:1', userId: 'a%_*?[x]\\b' } as const;
      const near = { platform: 'console', workspaceId: 'host', userId: '1:a%_*?[x]\\b' } as const;
      const wild = { platform: 'console', workspaceId: 'host:1', userId: 'aZZ*?[x]\\b' } as const;
      await records.put(makeRecord('odd-1', odd));
      await records.put(makeRecord('near-1', near));
      await records.put(makeRecord('wild-1', wild));
      expect(requesterKey(odd)).not.toBe(requesterKey(near));
      expect((await records.listByRequester(requesterKey(odd))).map((r) => r.configId)).toEqual(['odd-1']);
      expect((await records.listByRequester(requesterKey(near))).map((r) => r.configId)).toEqual(['near-1']);
      expect((await records.listByRequester(requesterKey(wild))).map((r) => r.configId)).toEqual(['wild-1']);
    });

    it('GIVEN a record put again under another requester THEN it moves to that requester', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      await records.put(makeRecord('cw-1', alice));
      const updated = makeRecord('cw-1', bob, { status: 'closed', updatedAt: at(9) });
      await records.put(updated);
      expect(await records.get('cw-1')).toEqual(updated);
      expect(await records.listByRequester(requesterKey(alice))).toEqual([]);
      expect(await records.listByRequester(requesterKey(bob))).toEqual([updated]);
      expect(await records.listAll()).toEqual([updated]);
    });

    it('GIVEN 50 parallel creations by one requester THEN all 50 are listed', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      // Same createdAt for all: "the same moment"; ties are ordered by config id.
      const ids = Array.from({ length: 50 }, (_, i) => `par-${String(i).padStart(2, '0')}`);
      await Promise.all(ids.map((id) => records.put(makeRecord(id, alice))));
      const listed = await records.listByRequester(requesterKey(alice));
      expect(listed.map((r) => r.configId)).toEqual([...ids].reverse());
      expect(await records.listAll()).toHaveLength(50);
    });

    it('GIVEN two connections writing at once THEN every record of both is listed by either', async () => {
      const ns = namespace();
      const [first, second] = [await open(ns), await open(ns)];
      const one = createRecordStore(first);
      const two = createRecordStore(second);
      await Promise.all([
        ...Array.from({ length: 25 }, (_, i) => one.put(makeRecord(`one-${i}`, alice, { createdAt: at(i) }))),
        ...Array.from({ length: 25 }, (_, i) => two.put(makeRecord(`two-${i}`, alice, { createdAt: at(i) }))),
      ]);
      expect(await one.listByRequester(requesterKey(alice))).toHaveLength(50);
      expect(await two.listByRequester(requesterKey(alice))).toHaveLength(50);
    });

    it.runIf(backend?.url)(
      'GIVEN another process writing 25 while this one writes 25 THEN all 50 are listed',
      async () => {
        const ns = namespace();
        const keyv = await open(ns);
        const records = createRecordStore(keyv);
        await records.get('warm-up');
        const child = await startWriter({ url: backend!.url!, namespace: ns, count: 25, prefix: 'child' });
        child.stdin!.write('go\n');
        await Promise.all([
          exited(child),
          ...Array.from({ length: 25 }, (_, i) =>
            records.put(makeRecord(`parent-${i}`, alice, { createdAt: at(i) })),
          ),
        ]);
        const listed = await records.listByRequester(requesterKey(alice));
        expect(listed.filter((r) => r.configId.startsWith('child-'))).toHaveLength(25);
        expect(listed.filter((r) => r.configId.startsWith('parent-'))).toHaveLength(25);
      },
    );

    it('GIVEN 20 takes at once over two connections THEN exactly the ceiling is taken; a slot given back is free again', async () => {
      const ns = namespace();
      const [first, second] = [await open(ns), await open(ns)];
      const one = createSlotCounter(first);
      const two = createSlotCounter(second);
      const taken = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).take('limit:x:1', 3, 60_000)),
      );
      expect(taken.filter(Boolean)).toHaveLength(3);
      expect(await one.take('limit:x:1', 3, 60_000)).toBe(false);
      // Another key (requester or window) has its own count.
      expect(await one.take('limit:y:1', 3, 60_000)).toBe(true);

      await two.giveBack('limit:x:1');
      const again = await Promise.all(Array.from({ length: 5 }, () => one.take('limit:x:1', 3, 60_000)));
      expect(again.filter(Boolean)).toHaveLength(1);
      // Never below zero: giving back more than was taken frees nothing extra.
      for (let i = 0; i < 5; i++) await one.giveBack('limit:z:1');
      expect(
        (await Promise.all(Array.from({ length: 4 }, () => one.take('limit:z:1', 2, 60_000)))).filter(
          Boolean,
        ),
      ).toHaveLength(2);
    });

    it('GIVEN a counter key past its lifetime THEN it counts from zero again', async () => {
      const keyv = await open(namespace());
      const slots = createSlotCounter(keyv);
      // Where the expiry is only read back (sqlite, PostgreSQL), a lifetime a busy machine cannot outrun.
      const lifetimeMs = keyv.store instanceof Map || isRedis(keyv) ? 50 : 10_000;
      expect(await slots.take('limit:short:1', 1, lifetimeMs)).toBe(true);
      expect(await slots.take('limit:short:1', 1, lifetimeMs)).toBe(false);
      // sqlite and PostgreSQL keep the row until Keyv reads it expired; the key is the window, so a new
      // window is a new key: what matters is that the count is stored with its expiry, as Keyv reads it.
      if (keyv.store instanceof Map || isRedis(keyv)) {
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await slots.take('limit:short:1', 1, lifetimeMs)).toBe(true);
      } else {
        const raw = (await keyv.get('limit:short:1', { raw: true })) as { value: number; expires: number };
        expect(raw.value).toBe(1);
        expect(raw.expires).toBeGreaterThan(Date.now() - 1_000);
      }
    });

    it.runIf(backend?.url)(
      'GIVEN another process taking 10 slots while this one takes 10 THEN together exactly the ceiling',
      async () => {
        const ns = namespace();
        const keyv = await open(ns);
        const slots = createSlotCounter(keyv);
        await keyv.get('warm-up');
        const child = await startWriter({
          url: backend!.url!,
          namespace: ns,
          count: 10,
          prefix: 'limit:both:1',
          extraEnv: { WRITER_MODE: 'take', WRITER_MAX: '4' },
        });
        let childOut = '';
        child.stdout!.on('data', (chunk) => {
          childOut += String(chunk);
        });
        child.stdin!.write('go\n');
        const [, ...mine] = await Promise.all([
          exited(child),
          ...Array.from({ length: 10 }, () => slots.take('limit:both:1', 4, 60_000)),
        ]);
        const theirs = Number(/taken (\d+)/.exec(childOut)?.[1] ?? 'NaN');
        expect(mine.filter(Boolean).length + theirs).toBe(4);
      },
    );

    it('GIVEN corrupt, garbled and orphaned entries THEN listings skip them and report the corrupt ones', async () => {
      const keyv = await open(namespace());
      const logger = recordingLogger();
      const records = createRecordStore(keyv, { logger });
      const owner = requesterKey(alice);
      await records.put(makeRecord('good-1', alice, { createdAt: at(1) }));
      // Valid JSON, wrong shape (as if written by an older or broken version).
      await keyv.set('rec:bad-shape', { configId: 'bad-shape', requester: alice });
      await keyv.set(`own:${owner}:bad-shape`, 1);
      // Not JSON at all, written under Keyv's feet.
      await writeRaw(keyv, 'rec:garbled', '{"value": {not json');
      await keyv.set(`own:${owner}:garbled`, 1);
      // Index written, record write "failed".
      await keyv.set(`own:${owner}:orphan`, 1);
      await records.put(makeRecord('good-2', alice, { createdAt: at(2) }));

      const listed = await records.listByRequester(owner);
      expect(listed.map((r) => r.configId)).toEqual(['good-2', 'good-1']);
      expect((await records.listAll()).map((r) => r.configId)).toEqual(['good-2', 'good-1']);
      expect(await records.get('bad-shape')).toBeUndefined();
      expect(await records.get('garbled')).toBeUndefined();
      expect(logger.warnings.map((w) => w.key)).toContain('rec:bad-shape');
      // Removing an unreadable record still clears its index entry.
      await records.remove('bad-shape');
      expect(await scanKeys(keyv, `own:${owner}:bad`)).toEqual([]);
    });

    it('GIVEN a record WHEN the store is closed and reopened THEN it is still listed', async () => {
      const keyv = await open(namespace());
      await createRecordStore(keyv).put(makeRecord('kept-1'));
      const again = await reopen(keyv);
      const listed = await createRecordStore(again).listByRequester(requesterKey(alice));
      expect(listed.map((r) => r.configId)).toEqual(['kept-1']);
    });

    it('GIVEN audit entries THEN latest returns the newest first, limited, same-millisecond ones kept', async () => {
      const keyv = await open(namespace());
      let minute = 0;
      const audit = createAuditLog(keyv, { now: () => new Date(at(minute)) });
      for (minute = 1; minute <= 5; minute++) {
        await audit.append({ actor: requesterKey(alice), action: 'contact-way.create', result: 'ok' });
      }
      const sameMs = at(6);
      await audit.append({ at: sameMs, actor: 'system', action: 'sync', result: 'ok', target: 'x' });
      await audit.append({ at: sameMs, actor: 'system', action: 'sync', result: 'error', code: 'store' });

      const latest = await audit.latest(4);
      expect(latest.map((e) => e.at)).toEqual([sameMs, sameMs, at(5), at(4)]);
      expect(
        latest
          .slice(0, 2)
          .map((e) => e.result)
          .sort(),
      ).toEqual(['error', 'ok']);
      expect(await audit.latest(100)).toHaveLength(7);
      expect(await audit.latest(0)).toEqual([]);
      await expect(audit.append({ actor: '', action: 'x', result: 'ok' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it('GIVEN old audit entries THEN prune deletes those past the TTL only', async () => {
      const keyv = await open(namespace());
      const day = 24 * 60 * 60 * 1000;
      const audit = createAuditLog(keyv, {
        now: () => new Date(Date.parse(at(0)) + 10 * day),
        ttlMs: 5 * day,
      });
      await audit.append({ at: at(0), actor: 'system', action: 'old', result: 'ok' });
      await audit.append({
        at: new Date(Date.parse(at(0)) + 9 * day).toISOString(),
        actor: 'system',
        action: 'new',
        result: 'ok',
      });
      expect(await audit.prune()).toBe(1);
      expect((await audit.latest(10)).map((e) => e.action)).toEqual(['new']);
    });

    it('GIVEN limit and after THEN scanKeys pages exactly, in either order, and stays inside the prefix', async () => {
      const keyv = await open(namespace());
      const ids = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
      await Promise.all([
        ...ids.map((id) => keyv.set(`page:${id}`, 1)),
        keyv.set('pagf:outside', 1),
        keyv.set('pag:outside', 1),
      ]);
      const walk = async (descending: boolean) => {
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const keys = await scanKeys(keyv, 'page:', { descending, limit: 10, after });
          seen.push(...keys);
          if (keys.length < 10) return seen;
          after = keys[keys.length - 1];
        }
      };
      const ascending = ids.map((id) => `page:${id}`);
      expect(await walk(false)).toEqual(ascending);
      expect(await walk(true)).toEqual([...ascending].reverse());
      expect(await scanKeys(keyv, 'page:', { descending: true, limit: 3 })).toEqual([
        'page:k24',
        'page:k23',
        'page:k22',
      ]);
    });

    it('GIVEN keys below a bound THEN deleteKeysBelow removes exactly those of the prefix', async () => {
      const keyv = await open(namespace());
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => keyv.set(`t:${String(i).padStart(3, '0')}`, i)),
        keyv.set('s:000', 1),
        keyv.set('u:000', 1),
      ]);
      expect(await deleteKeysBelow(keyv, 't:', 't:012')).toBe(12);
      expect(await scanKeys(keyv, 't:', { limit: 1 })).toEqual(['t:012']);
      expect(await scanKeys(keyv, 't:')).toHaveLength(18);
      expect(await keyv.get('s:000')).toBe(1);
      expect(await keyv.get('u:000')).toBe(1);
      expect(await deleteKeysBelow(keyv, 't:', 't:012')).toBe(0);
    });

    it('GIVEN a backend that fails THEN errors surface as StoreError, not as "not found"', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      const broken = new Error('disk on fire');
      const store = keyv.store as { get: unknown; getMany?: unknown };
      const fail = async () => {
        throw broken;
      };
      if (store instanceof Map) {
        keyv.get = fail as never;
        keyv.getMany = fail as never;
      } else {
        store.get = fail;
        store.getMany = fail;
      }
      const error = await records.get('cw-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).cause).toBe(broken);
    });
  });
}

function isRedis(keyv: Keyv): boolean {
  return (keyv.store as { opts?: { dialect?: string } }).opts?.dialect === 'redis';
}

/** Writes a raw string where Keyv would keep `key`, bypassing its serializer. */
async function writeRaw(keyv: Keyv, key: string, raw: string): Promise<void> {
  const physical = keyv.useKeyPrefix && keyv.namespace ? `${keyv.namespace}:${key}` : key;
  await (keyv.store as { set(k: string, v: string): unknown }).set(physical, raw);
}

const WRITER = fileURLToPath(new URL('./writer.ts', import.meta.url));

/** Starts `writer.ts` in its own Node process and resolves once it is connected and waiting. */
async function startWriter(args: {
  url: string;
  namespace: string;
  count: number;
  prefix: string;
  extraEnv?: Record<string, string>;
}): Promise<ChildProcess> {
  const child = spawnGroup(process.execPath, ['--import', 'tsx', WRITER], {
    env: {
      ...process.env,
      STORE_URL: args.url,
      STORE_NAMESPACE: args.namespace,
      WRITER_COUNT: String(args.count),
      WRITER_PREFIX: args.prefix,
      ...args.extraEnv,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      if (String(chunk).includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited (${code}) before ready: ${stderr}`)));
  });
  (child as ChildProcess & { stderrText: () => string }).stderrText = () => stderr;
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  const code = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `writer failed (${code}): ${(child as ChildProcess & { stderrText: () => string }).stderrText()}`,
    );
  }
}
